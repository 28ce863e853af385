import type { IncomingMessage, ServerResponse } from 'node:http'
import { sendJson, sendText, startFakeHttpServer } from './fake-http-server'

// A local Microsoft Teams for tests, answering from Microsoft's documented shapes:
// - incoming webhooks (POST /webhook/<id>): 200 with the text "1"; a throttled channel still
//   answers 200, with "… Microsoft Teams endpoint returned HTTP error 429 …" as text; a deleted
//   webhook answers 410; a payload without a card 400 "Bad payload received by generic incoming
//   webhook."; /webhook/delayed answers after 200 ms, and a card (or Graph message) whose text
//   is "hang" never;
// - Workflows webhooks (POST /workflows/<id>/triggers/manual/paths/invoke): 202, empty body; 429
//   with Retry-After and a { error: { code, message } } body when throttled;
// - Microsoft Graph v1.0: POST /teams/{id}/channels/{id}/messages (and …/{id}/replies) → 201 and
//   a chatMessage; GET /teams/{id}/channels → { value, @odata.nextLink } pages of two; errors as
//   { error: { code, message, innerError } } with 401/403/404/429.

/** A request the fake Teams received. */
export interface TeamsRequest {
  method: string | undefined
  path: string
  headers: IncomingMessage['headers']
  body: unknown
}

/** A running fake Teams. */
export interface FakeTeams {
  url: string
  requests: TeamsRequest[]
  /** Resolves when a held request (path …/hang, or a card saying "hang") was closed by the client. */
  hangingClosed(): Promise<void>
  /** Requests held open right now (the hanging ones). */
  readonly holding: number
  /** The next request gets HTTP 503 (after it is recorded). */
  failNext(): void
  close(): Promise<void>
}

/**
 * Starts a fake Teams on 127.0.0.1; Graph answers under `/v1.0` to `token` and knows one team
 * (`teamId`) with five channels.
 *
 * @example
 * ```ts
 * const teams = await startFakeTeams({ token: 'graph-token', teamId: 'team-1' })
 * ```
 */
export async function startFakeTeams(options: {
  token: string
  teamId: string
}): Promise<FakeTeams> {
  const requests: TeamsRequest[] = []
  const channels = Array.from({ length: 5 }, (_, index) => ({
    id: `19:channel${index + 1}@thread.tacv2`,
    displayName: index === 0 ? 'General' : `Channel ${index + 1}`,
    membershipType: index === 4 ? 'private' : 'standard',
  }))
  let sequence = 1_700_000_000_000
  let base = ''

  const server = await startFakeHttpServer(
    ({ request, response, url, text, hold, takeFailure }) => {
      let body: unknown
      try {
        body = text === '' ? undefined : JSON.parse(text)
      } catch {
        body = text
      }
      requests.push({ method: request.method, path: url.pathname, headers: request.headers, body })
      if (takeFailure()) return sendText(response, 503, 'Service Unavailable')
      const graphContent = (body as { body?: { content?: unknown } } | undefined)?.body?.content
      if (url.pathname.endsWith('/hang') || cardText(body) === 'hang' || graphContent === 'hang')
        return hold()
      const webhook = /^\/webhook\/([\w-]+)$/.exec(url.pathname)?.[1]
      if (webhook === 'delayed') {
        setTimeout(() => incomingWebhook(webhook, body, response), 200)
        return
      }
      if (webhook !== undefined) return incomingWebhook(webhook, body, response)
      const flow = /^\/workflows\/([\w-]+)\/triggers\/manual\/paths\/invoke$/.exec(
        url.pathname,
      )?.[1]
      if (flow !== undefined) return workflowWebhook(flow, url, body, response)
      if (url.pathname.startsWith('/v1.0/')) return graph(request, url, body, response)
      response.writeHead(404)
      response.end()
    },
  )
  base = server.url

  function incomingWebhook(id: string, body: unknown, response: ServerResponse) {
    if (id === 'gone') return sendText(response, 410, 'Connector configuration not found')
    if (!hasCard(body))
      return sendText(response, 400, 'Bad payload received by generic incoming webhook.')
    if (id === 'throttled')
      return sendText(
        response,
        200,
        'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0,server=msgapi-production-eus-azsc2-4-170,cv=deadbeef=2.',
      )
    sendText(response, 200, '1')
  }

  function workflowWebhook(id: string, url: URL, body: unknown, response: ServerResponse) {
    if (url.searchParams.get('sig') !== 'valid-signature')
      return sendJson(response, 401, {
        error: {
          code: 'DirectApiAuthorizationRequired',
          message: 'The request must be authenticated',
        },
      })
    if (id === 'throttled') {
      response.setHeader('retry-after', '5')
      return sendJson(response, 429, {
        error: { code: 'WorkflowRequestsThrottled', message: 'The workflow is throttled' },
      })
    }
    if (!hasCard(body))
      return sendJson(response, 400, {
        error: { code: 'InvalidRequestContent', message: 'The request content is not valid' },
      })
    response.writeHead(202, { 'content-length': '0' })
    response.end()
  }

  function graph(request: IncomingMessage, url: URL, body: unknown, response: ServerResponse) {
    if (request.headers.authorization !== `Bearer ${options.token}`)
      return graphError(
        response,
        401,
        'InvalidAuthenticationToken',
        'Access token validation failure.',
      )
    const messages =
      /^\/v1\.0\/teams\/([^/]+)\/channels\/([^/]+)\/messages(?:\/([^/]+)\/replies)?$/.exec(
        url.pathname,
      )
    const list = /^\/v1\.0\/teams\/([^/]+)\/channels$/.exec(url.pathname)
    const team = decodeURIComponent((messages ?? list)?.[1] ?? '')
    if (team !== options.teamId)
      return graphError(response, 404, 'NotFound', `No team found with Group Id ${team}`)
    if (list && request.method === 'GET') {
      const skip = Number(url.searchParams.get('$skiptoken') ?? '0')
      const page = channels.slice(skip, skip + 2)
      return sendJson(response, 200, {
        '@odata.context': `${base}/v1.0/$metadata#teams('${team}')/channels`,
        ...(skip + 2 < channels.length
          ? { '@odata.nextLink': `${base}/v1.0/teams/${team}/channels?$skiptoken=${skip + 2}` }
          : {}),
        value: page,
      })
    }
    if (messages && request.method === 'POST') {
      const channel = decodeURIComponent(messages[2]!)
      if (!channels.some((c) => c.id === channel))
        return graphError(response, 404, 'NotFound', 'Channel not found')
      const message = body as {
        body?: { content?: unknown; contentType?: unknown }
        subject?: unknown
      }
      if (typeof message?.body?.content !== 'string')
        return graphError(response, 400, 'BadRequest', 'Missing body content')
      if (message.body.content.includes('THROTTLE')) {
        response.setHeader('retry-after', '9')
        return graphError(response, 429, 'TooManyRequests', 'Too many requests')
      }
      const id = String(sequence++)
      return sendJson(response, 201, {
        '@odata.context': `${base}/v1.0/$metadata#teams('${team}')/channels('${channel}')/messages/$entity`,
        id,
        replyToId: messages[3] === undefined ? null : decodeURIComponent(messages[3]),
        messageType: 'message',
        createdDateTime: new Date().toISOString(),
        subject: message.subject ?? null,
        webUrl: `https://teams.microsoft.com/l/message/${encodeURIComponent(channel)}/${id}`,
        body: message.body,
      })
    }
    graphError(response, 405, 'MethodNotAllowed', 'Method not allowed')
  }

  return Object.assign(server, { requests })
}

/** The text of a card's first TextBlock. */
function cardText(body: unknown): unknown {
  const card = (body as { attachments?: { content?: { body?: { text?: unknown }[] } }[] })
    ?.attachments?.[0]?.content
  return card?.body?.find((element) => typeof element?.text === 'string')?.text
}

function hasCard(body: unknown): boolean {
  const attachments = (
    body as { attachments?: { contentType?: unknown; content?: { type?: unknown } }[] }
  )?.attachments
  return (
    Array.isArray(attachments) &&
    attachments[0]?.contentType === 'application/vnd.microsoft.card.adaptive' &&
    attachments[0]?.content?.type === 'AdaptiveCard'
  )
}

function graphError(response: ServerResponse, status: number, code: string, message: string) {
  sendJson(response, status, {
    error: {
      code,
      message,
      innerError: {
        date: new Date().toISOString(),
        'request-id': 'b1b8c2a4-0000-4000-8000-000000000001',
      },
    },
  })
}
