import { STATUS_CODES } from 'node:http'
import { TesseraError, httpStatusForError } from '@tessera/core'

/**
 * An RFC 9457 `application/problem+json` response for an error thrown by a request handler.
 * The status comes from core's code table (`httpStatusForError`); the message of a Tessera
 * client error (4xx) is shown, while a server error only shows its code, so internals do not
 * leak to clients.
 *
 * @example
 * ```ts
 * const response = problemResponse(new Error('boom'))
 * response.status // 500
 * await response.json() // { type: 'about:blank', title: 'Internal Server Error', status: 500, code: 'internal', detail: '…' }
 * ```
 */
export function problemResponse(error: unknown): Response {
  const status = httpStatusForError(error)
  const tessera = TesseraError.isInstance(error)
  const body = {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    code: tessera ? error.code : 'internal',
    detail:
      tessera && status < 500
        ? error.message
        : 'The request handler failed; the server log has the details',
  }
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  })
}
