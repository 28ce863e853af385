import type { IncomingMessage, ServerResponse } from 'node:http'
import { sendJson, startFakeHttpServer } from './fake-http-server'

// A local SendGrid v3 API for tests, answering from SendGrid's documented shapes: POST
// /v3/mail/send → 202 with an empty body and X-Message-Id (200 in sandbox mode), errors as
// { errors: [{ message, field, help }] } with 400/401/403/413/429/5xx, rate limits with
// Retry-After and X-RateLimit-* headers; GET /v3/scopes → { scopes: [...] }. Recipients at
// ratelimit.example get 429, at fail.example 500, hang@example.com never gets an answer.

/** A request the fake SendGrid received. */
export interface SendgridRequest {
  method: string | undefined
  url: string | undefined
  headers: IncomingMessage['headers']
  body: Record<string, unknown> | undefined
}

/** A running fake SendGrid. */
export interface FakeSendgrid {
  url: string
  requests: SendgridRequest[]
  /** Resolves when a request to hang@example.com was closed by the client. */
  hangingClosed(): Promise<void>
  /** Requests held open right now (the hanging ones). */
  readonly holding: number
  /** The next request gets HTTP 503 (after it is recorded). */
  failNext(): void
  close(): Promise<void>
}

/**
 * Starts a fake SendGrid on 127.0.0.1. `keys` maps API keys to their scopes.
 *
 * @example
 * ```ts
 * const sendgrid = await startFakeSendgrid({ keys: { 'SG.test': ['mail.send'] } })
 * ```
 */
export async function startFakeSendgrid(options: {
  keys: Record<string, string[]>
}): Promise<FakeSendgrid> {
  const requests: SendgridRequest[] = []
  let sequence = 0
  const server = await startFakeHttpServer(({ request, response, text, hold, takeFailure }) => {
    let body: Record<string, unknown> | undefined
    try {
      body = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>)
    } catch {
      return errors(response, 400, [{ message: 'Bad Request', field: null }])
    }
    requests.push({ method: request.method, url: request.url, headers: request.headers, body })
    if (takeFailure())
      return errors(response, 503, [{ message: 'service unavailable', field: null }])
    const key = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]
    const scopes = key === undefined ? undefined : options.keys[key]
    if (scopes === undefined)
      return errors(response, 401, [
        {
          field: null,
          message: 'The provided authorization grant is invalid, expired, or revoked',
        },
      ])
    if (request.method === 'GET' && request.url === '/v3/scopes')
      return sendJson(response, 200, { scopes })
    if (request.method !== 'POST' || request.url !== '/v3/mail/send')
      return errors(response, 404, [{ message: 'resource not found', field: null }])
    if (!scopes.includes('mail.send'))
      return errors(response, 403, [{ message: 'access forbidden', field: null }])
    const problems = validate(body)
    if (problems.length > 0) return errors(response, 400, problems)
    const recipients = personalizations(body).flatMap((p) =>
      ((p.to ?? []) as { email: string }[]).map((to) => to.email),
    )
    if (recipients.some((email) => email.endsWith('@ratelimit.example')))
      return errors(response, 429, [{ field: null, message: 'too many requests' }], {
        'retry-after': '12',
        'x-ratelimit-limit': '600',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 12),
      })
    if (recipients.some((email) => email.endsWith('@fail.example')))
      return errors(response, 500, [{ message: 'internal error', field: null }])
    if (recipients.includes('hang@example.com')) return hold()
    const sandbox = (body?.mail_settings as { sandbox_mode?: { enable?: boolean } } | undefined)
      ?.sandbox_mode?.enable
    response.writeHead(sandbox ? 200 : 202, { 'x-message-id': `msg-${++sequence}-sg` })
    response.end()
  })
  return Object.assign(server, { requests })
}

function personalizations(body: Record<string, unknown> | undefined) {
  return (Array.isArray(body?.personalizations) ? body.personalizations : []) as Record<
    string,
    unknown
  >[]
}

function validate(body: Record<string, unknown> | undefined) {
  const problems: { message: string; field: string; help: string | null }[] = []
  if (personalizations(body).length === 0)
    problems.push({
      message: 'The personalizations field is required.',
      field: 'personalizations',
      help: null,
    })
  const from = body?.from as { email?: unknown } | undefined
  if (typeof from?.email !== 'string')
    problems.push({ message: 'The from object must be provided.', field: 'from', help: null })
  else if (from.email.endsWith('@unverified.example'))
    problems.push({
      message: 'The from address does not match a verified Sender Identity.',
      field: 'from',
      help: null,
    })
  if (!Array.isArray(body?.content) && typeof body?.template_id !== 'string')
    problems.push({
      message: 'Unless a valid template_id is provided, the content parameter is required.',
      field: 'content',
      help: null,
    })
  return problems
}

function errors(
  response: ServerResponse,
  status: number,
  list: unknown[],
  headers?: Record<string, string>,
) {
  sendJson(response, status, { errors: list }, headers)
}
