import type { ModelRequest } from '@tessera/core'
import { canonicalJson } from './canonical-json'

/**
 * The cache key of a request to a model: the SHA-256 (Web Crypto, hex) of the canonical JSON of
 * the provider, the model id and the request without `signal` and `headers`, which do not change
 * the answer. Two requests that differ in anything the provider reads (a message, a tool, the
 * temperature, provider options) get different keys.
 *
 * @example
 * ```ts
 * await responseCacheKey({ provider: 'openai', modelId: 'gpt-4o-mini' }, request) // '3f9c…' (64 hex digits)
 * ```
 */
export async function responseCacheKey(
  model: { provider: string; modelId: string },
  request: ModelRequest,
): Promise<string> {
  const { signal: _signal, headers: _headers, ...rest } = request
  const text = canonicalJson({ provider: model.provider, modelId: model.modelId, request: rest })
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('')
}
