import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { sendJson, startFakeHttpServer } from './fake-http-server'

// A local Twilio REST API (2010-04-01) for tests, answering from Twilio's documented shapes:
// HTTP Basic auth with the account SID and auth token; POST /Accounts/{Sid}/Messages.json with
// form-encoded To/From/Body → 201 and a Message resource; errors as
// { code, message, more_info, status } (20003 Authenticate, 20404, 21211 invalid To, 21602
// missing Body, 20429 with Retry-After); GET /Accounts/{Sid}.json → the Account resource.
// Magic recipients: +15005550001 is invalid (21211), +15005559429 is rate limited, +15005559500
// gets a 500, and +15005559999 never gets an answer.

/** A request the fake Twilio received. */
export interface TwilioRequest {
  method: string | undefined
  path: string
  headers: IncomingMessage['headers']
  form: Record<string, string[]>
}

/** A running fake Twilio. */
export interface FakeTwilio {
  url: string
  requests: TwilioRequest[]
  /** Resolves when a request to +15005559999 was closed by the client. */
  hangingClosed(): Promise<void>
  /** Requests held open right now (the hanging ones). */
  readonly holding: number
  close(): Promise<void>
}

/**
 * Starts a fake Twilio on 127.0.0.1 for one account.
 *
 * @example
 * ```ts
 * const twilio = await startFakeTwilio({ accountSid: 'AC…', authToken: 'secret' })
 * ```
 */
export async function startFakeTwilio(account: {
  accountSid: string
  authToken: string
}): Promise<FakeTwilio> {
  const requests: TwilioRequest[] = []
  const server = await startFakeHttpServer(({ request, response, url, text, hold }) => {
    const form: Record<string, string[]> = {}
    for (const [key, value] of new URLSearchParams(text)) (form[key] ??= []).push(value)
    requests.push({ method: request.method, path: url.pathname, headers: request.headers, form })
    const expected = `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString('base64')}`
    if (request.headers.authorization !== expected)
      return error(response, 401, 20003, 'Authenticate')
    const match = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})(\.json|\/Messages\.json)$/.exec(
      url.pathname,
    )
    if (!match || match[1] !== account.accountSid)
      return error(response, 404, 20404, `The requested resource ${url.pathname} was not found`)
    if (match[2] === '.json' && request.method === 'GET')
      return sendJson(response, 200, {
        sid: account.accountSid,
        friendly_name: 'Tessera test account',
        status: 'active',
        type: 'Full',
        date_created: 'Mon, 01 Jan 2024 00:00:00 +0000',
        uri: `/2010-04-01/Accounts/${account.accountSid}.json`,
      })
    if (match[2] !== '/Messages.json' || request.method !== 'POST')
      return error(response, 405, 20004, 'Method not allowed')
    const to = form.To?.[0]
    const body = form.Body?.[0]
    const from = form.From?.[0]
    const service = form.MessagingServiceSid?.[0]
    if (to === undefined) return error(response, 400, 21604, "A 'To' phone number is required.")
    if (to === '+15005550001' || !/^(\+[1-9]\d{1,14}|[a-z]+:.+)$/.test(to))
      return error(response, 400, 21211, `The 'To' number ${to} is not a valid phone number.`)
    if (body === undefined && form.MediaUrl === undefined)
      return error(response, 400, 21602, 'Message body is required.')
    if (from === undefined && service === undefined)
      return error(response, 400, 21603, "A 'From' phone number is required.")
    if (to === '+15005559429') {
      response.setHeader('retry-after', '3')
      return error(response, 429, 20429, 'Too Many Requests')
    }
    if (to === '+15005559500') return error(response, 500, 20500, 'Internal Server Error')
    if (to === '+15005559999') return hold()
    const sid = `SM${randomBytes(16).toString('hex')}`
    sendJson(response, 201, {
      sid,
      account_sid: account.accountSid,
      to,
      from: from ?? null,
      messaging_service_sid: service ?? null,
      body: body ?? '',
      status: service === undefined ? 'queued' : 'accepted',
      num_segments: String(Math.max(1, Math.ceil((body ?? '').length / 160))),
      num_media: String(form.MediaUrl?.length ?? 0),
      direction: 'outbound-api',
      api_version: '2010-04-01',
      price: null,
      price_unit: 'USD',
      error_code: null,
      error_message: null,
      date_created: new Date().toUTCString().replace('GMT', '+0000'),
      date_updated: new Date().toUTCString().replace('GMT', '+0000'),
      date_sent: null,
      uri: `/2010-04-01/Accounts/${account.accountSid}/Messages/${sid}.json`,
      subresource_uris: {
        media: `/2010-04-01/Accounts/${account.accountSid}/Messages/${sid}/Media.json`,
      },
    })
  })
  return Object.assign(server, { requests })
}

function error(response: ServerResponse, status: number, code: number, message: string) {
  sendJson(response, status, {
    code,
    message,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
  })
}
