import { problemDetails } from '../errors/problem-response'
import { TesseraError } from '../errors/tessera-error'
import type { ValidationIssue } from '../errors/validation-error'

/**
 * One field a request got wrong, as listed in a 400 problem's `errors`.
 *
 * @example
 * ```ts
 * const error: ProblemFieldError = { path: 'body.workflowId', message: 'Required', expected: 'string' }
 * ```
 */
export interface ProblemFieldError {
  /** Where: `body.input.orderId`, `query.limit`, `params.runId`, `headers.idempotency-key`. */
  path: string
  message: string
  expected?: string
  received?: string
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
}

/**
 * A refusal the handler itself decides (bad JSON, unknown route, wrong method, body too large,
 * invalid fields): status, code and the fields at fault. Internal: answered as problem details.
 */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors?: readonly ProblemFieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail)
    this.name = 'HttpProblem'
  }
}

/** The problem details body of anything thrown, with the field errors a client can act on. */
export function problemBody(error: unknown, requestId: string): Record<string, unknown> {
  if (error instanceof HttpProblem) {
    return {
      type: 'about:blank',
      title: titles[error.status] ?? 'Error',
      status: error.status,
      code: error.code,
      detail: error.detail,
      requestId,
      ...(error.errors ? { errors: error.errors } : {}),
    }
  }
  const body: Record<string, unknown> = { ...problemDetails(error), requestId }
  if (TesseraError.isInstance(error) && (body.status as number) < 500) {
    const issues = (error as { issues?: unknown }).issues
    if (Array.isArray(issues)) body.errors = issues.map(toFieldError)
    if (body.title === 'Error') body.title = titles[body.status as number] ?? 'Error'
  }
  return body
}

function toFieldError(
  issue: ValidationIssue | { path: string; message: string },
): ProblemFieldError {
  const { path, message } = issue
  const expected = (issue as ValidationIssue).expected
  const received = (issue as ValidationIssue).received
  return {
    path,
    message,
    ...(expected !== undefined ? { expected } : {}),
    ...(received !== undefined ? { received } : {}),
  }
}

/** Headers a problem response carries besides its content type (`WWW-Authenticate`, `Retry-After`). */
export function problemHeaders(error: unknown): Record<string, string> {
  if (error instanceof HttpProblem) return { ...error.headers }
  if (!TesseraError.isInstance(error)) return {}
  if (error.code === 'unauthenticated') {
    const challenge = (error as { wwwAuthenticate?: unknown }).wwwAuthenticate
    return {
      'www-authenticate': typeof challenge === 'string' ? challenge : 'Bearer realm="tessera"',
    }
  }
  if (error.code === 'rate_limited') {
    const ms = (error as { retryAfterMs?: unknown }).retryAfterMs
    return {
      'retry-after': String(Math.max(1, Math.ceil((typeof ms === 'number' ? ms : 1000) / 1000))),
    }
  }
  return {}
}
