import { httpStatusForError } from './error-json'
import { TesseraError } from './tessera-error'

/** Reason phrases of the statuses that `errorCodes` maps to. */
const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
}

/** An RFC 9457 problem details object. */
export interface ProblemDetails {
  type: string
  title: string
  status: number
  /** The Tessera error code (`internal` for anything else). */
  code: string
  detail: string
}

/**
 * The RFC 9457 problem details of an error. The status comes from the one code table
 * (`httpStatusForError`); the message of a Tessera client error (4xx) is shown, while a server
 * error only shows its code, so internals do not leak to clients.
 *
 * @example
 * ```ts
 * problemDetails(new NotFoundError({ kind: 'run', id: 'r1' }))
 * // { type: 'about:blank', title: 'Not Found', status: 404, code: 'not_found', detail: 'No run with id "r1"' }
 * ```
 */
export function problemDetails(error: unknown): ProblemDetails {
  const status = httpStatusForError(error)
  const tessera = TesseraError.isInstance(error)
  return {
    type: 'about:blank',
    title: titles[status] ?? 'Error',
    status,
    code: tessera ? error.code : 'internal',
    detail:
      tessera && status < 500
        ? error.message
        : 'The request handler failed; the server log has the details',
  }
}

/**
 * A Web Fetch `Response` with an error's problem details as `application/problem+json`. The
 * HTTP adapters answer with it when a handler throws. A 401 carries the error's
 * `WWW-Authenticate` challenge and a 429 its `Retry-After` (seconds, rounded up).
 *
 * @example
 * ```ts
 * const response = problemResponse(new Error('boom'))
 * response.status // 500
 * ```
 */
export function problemResponse(error: unknown): Response {
  const body = problemDetails(error)
  const headers = new Headers({ 'content-type': 'application/problem+json' })
  // Read through details(), not instanceof, so errors of another copy of the package count too.
  const details = TesseraError.isInstance(error) ? error.details() : undefined
  if (body.status === 401 && typeof details?.wwwAuthenticate === 'string') {
    headers.set('www-authenticate', details.wwwAuthenticate)
  }
  if (body.status === 429 && typeof details?.retryAfterMs === 'number') {
    headers.set('retry-after', String(Math.max(1, Math.ceil(details.retryAfterMs / 1000))))
  }
  return new Response(JSON.stringify(body), { status: body.status, headers })
}
