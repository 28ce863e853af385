import { ConnectorError } from '@tessera/core'
import { failureOf } from '../vendor-error'

/** The fields of `@sendgrid/client`'s ResponseError and of axios errors that the mapping reads. */
interface SendgridErrorFields {
  code?: unknown
  name?: unknown
  message?: unknown
  response?: { headers?: Record<string, unknown>; body?: unknown }
}

/**
 * Maps an error of `@sendgrid/mail` to a {@link ConnectorError}. SendGrid answers errors with
 * `{ errors: [{ message, field, help }] }`: 401/403 → `unauthorized`, 404 → `not-found`, 429 →
 * `rate-limited` (after `Retry-After`, or `X-RateLimit-Reset`), 5xx → retryable `remote`, other
 * 4xx → `invalid-request` naming the fields SendGrid complained about. Requests that never got
 * an answer → `network`, `timeout` or `aborted`.
 *
 * @example
 * ```ts
 * try { await service.send(mail) } catch (error) { throw sendgridError(error, { connector: 'sendgrid', action: 'send-email', signal }) }
 * ```
 */
export function sendgridError(
  error: unknown,
  where: { connector: string; action: string; signal: AbortSignal; nowMs?: number },
): ConnectorError {
  if (ConnectorError.isInstance(error)) return error
  const fields = (typeof error === 'object' && error !== null ? error : {}) as SendgridErrorFields
  const make = failureOf(where, error)
  if (where.signal.aborted) return make('aborted', 'the request was aborted by the caller')
  if (typeof fields.code === 'number' && fields.response !== undefined) {
    const status = fields.code
    const message = `SendGrid answered ${status}${describeErrors(fields.response.body)}`
    if (status === 401 || status === 403) return make('unauthorized', message, { status })
    if (status === 404) return make('not-found', message, { status })
    if (status === 429) {
      const retryAfterMs = retryAfter(fields.response.headers, where.nowMs ?? Date.now())
      return make('rate-limited', message, {
        status,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      })
    }
    if (status >= 500) return make('remote', message, { status, retryable: status !== 501 })
    return make('invalid-request', message, { status })
  }
  const code = typeof fields.code === 'string' ? fields.code : undefined
  const detail = typeof fields.message === 'string' ? fields.message : String(error)
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT')
    return make('timeout', 'SendGrid did not answer in time', { status: code })
  if (code !== undefined && /^E[A-Z]+$/.test(code))
    return make('network', `the request to SendGrid failed: ${detail}`, { status: code })
  return make('remote', `the request to SendGrid failed: ${detail}`)
}

function describeErrors(body: unknown): string {
  const errors = (body as { errors?: unknown } | undefined)?.errors
  if (!Array.isArray(errors) || errors.length === 0) return ''
  const parts = errors.slice(0, 5).map((entry: { message?: unknown; field?: unknown }) => {
    const message = typeof entry?.message === 'string' ? entry.message : 'error'
    return typeof entry?.field === 'string' ? `${entry.field}: ${message}` : message
  })
  return `: ${parts.join('; ')}`
}

function retryAfter(
  headers: Record<string, unknown> | undefined,
  nowMs: number,
): number | undefined {
  const header = (name: string) => {
    const value = headers?.[name] ?? headers?.[name.toLowerCase()]
    return typeof value === 'string' || typeof value === 'number' ? String(value).trim() : undefined
  }
  const after = header('retry-after')
  if (after !== undefined && /^\d+$/.test(after)) return Number(after) * 1000
  if (after !== undefined && !Number.isNaN(Date.parse(after)))
    return Math.max(0, Date.parse(after) - nowMs)
  const reset = header('x-ratelimit-reset')
  if (reset !== undefined && /^\d+$/.test(reset)) return Math.max(0, Number(reset) * 1000 - nowMs)
  return undefined
}
