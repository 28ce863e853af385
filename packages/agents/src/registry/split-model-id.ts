/**
 * `openai:gpt-4o-mini` → `{ providerName: 'openai', modelId: 'gpt-4o-mini' }`, split at the first
 * separator (model ids may hold it too: `ollama:llama3.2:3b`). Undefined without a separator, or
 * with nothing on one side of it.
 *
 * @example
 * ```ts
 * splitModelId('ollama:llama3.2:3b', ':') // { providerName: 'ollama', modelId: 'llama3.2:3b' }
 * ```
 */
export function splitModelId(
  id: string,
  separator: string,
): { providerName: string; modelId: string } | undefined {
  const at = id.indexOf(separator)
  if (at <= 0) return undefined
  const modelId = id.slice(at + separator.length)
  if (modelId === '') return undefined
  return { providerName: id.slice(0, at), modelId }
}
