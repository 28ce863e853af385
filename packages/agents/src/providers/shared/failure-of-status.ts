import type { ModelCallFailure } from '@tessera/core'

/**
 * The {@link ModelCallFailure} an HTTP error status stands for, the same for every vendor:
 * 429 `rate-limited`; 401 and 403 `authentication`; 408, 409 and 5xx `server-error`; other
 * 4xx `bad-request`; anything else `other`. (404 and context-length errors are not
 * ModelCallErrors: see {@link modelErrorFromHttp}.)
 *
 * @example
 * ```ts
 * failureOfStatus(503) // 'server-error'
 * ```
 */
export function failureOfStatus(status: number): ModelCallFailure {
  if (status === 429) return 'rate-limited'
  if (status === 401 || status === 403) return 'authentication'
  if (status === 408 || status === 409 || (status >= 500 && status <= 599)) return 'server-error'
  if (status >= 400 && status <= 499) return 'bad-request'
  return 'other'
}
