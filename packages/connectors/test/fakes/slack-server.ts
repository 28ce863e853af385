import type { IncomingMessage, ServerResponse } from 'node:http'
import { sendJson, startFakeHttpServer } from './fake-http-server'

// A local Slack Web API for tests: it speaks the documented wire protocol (POST
// https://slack.com/api/<method>, form-encoded or JSON arguments, a Bearer token, HTTP 200 with
// { ok: true, … } or { ok: false, error } and HTTP 429 with Retry-After when rate limited,
// cursor pagination in response_metadata.next_cursor). It is a test peer, not a mock of the
// connector: the connector talks to it through the real @slack/web-api client.

/** One request the fake Slack received. */
export interface SlackRequest {
  method: string
  headers: IncomingMessage['headers']
  args: Record<string, unknown>
}

/** A message the fake Slack stores. */
export interface SlackMessage {
  channel: string
  ts: string
  text: string | undefined
  blocks: unknown
  thread_ts: string | undefined
  metadata: unknown
  reactions: string[]
}

/** A running fake Slack. */
export interface FakeSlack {
  /** The Web API base URL, ending in `/api/`. */
  url: string
  requests: SlackRequest[]
  messages: SlackMessage[]
  /** The next request gets HTTP 429 with `Retry-After: seconds`. */
  rateLimitNext(seconds: number): void
  /** The next request gets this HTTP status with an HTML body (as a broken proxy would). */
  failNext(status: number): void
  /** Requests to channel `C_HANG` get no answer; resolves when one of them was closed by the client. */
  hangingClosed(): Promise<void>
  /** Requests held open right now (the hanging ones). */
  readonly holding: number
  close(): Promise<void>
}

const botUser = 'U0BOT0001'

/**
 * Starts a fake Slack on 127.0.0.1 that accepts `tokens` and knows `channelCount` public
 * channels (`C0001`…, `#general` is `C0001`) plus one archived and one private channel.
 *
 * @example
 * ```ts
 * const slack = await startFakeSlack({ tokens: ['xoxb-test'] })
 * const config = { token: 'xoxb-test', baseUrl: slack.url }
 * ```
 */
export async function startFakeSlack(options: {
  tokens: string[]
  channelCount?: number
}): Promise<FakeSlack> {
  const channels = Array.from({ length: options.channelCount ?? 3 }, (_, index) => ({
    id: `C${String(index + 1).padStart(4, '0')}`,
    name: index === 0 ? 'general' : `channel-${index + 1}`,
    is_channel: true,
    is_private: false,
    is_archived: false,
    num_members: index + 1,
  }))
  channels.push(
    {
      id: 'CARCHIVED',
      name: 'old',
      is_channel: true,
      is_private: false,
      is_archived: true,
      num_members: 0,
    },
    {
      id: 'GPRIVATE1',
      name: 'secret',
      is_channel: true,
      is_private: true,
      is_archived: false,
      num_members: 2,
    },
  )
  const requests: SlackRequest[] = []
  const messages: SlackMessage[] = []
  const overrides: ((response: ServerResponse) => void)[] = []
  let clock = 1_712_345_678
  const server = await startFakeHttpServer(({ request, response, text, hold }) => {
    const method = (request.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? ''
    const args = parseArgs(request.headers['content-type'], text)
    requests.push({ method, headers: request.headers, args })
    const override = overrides.shift()
    if (override) return override(response)
    if (request.method !== 'POST' || !request.url?.startsWith('/api/')) {
      response.writeHead(404, { 'content-type': 'text/html' })
      return response.end('<html>not found</html>')
    }
    const auth = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]
    if (auth === undefined) return answer(response, { ok: false, error: 'not_authed' })
    if (!options.tokens.includes(auth))
      return answer(response, { ok: false, error: 'invalid_auth' })
    if (args.channel === 'C_HANG') return hold()
    answer(response, handle(method, args))
  })

  function channelId(value: unknown): string | undefined {
    if (value === '#general' || value === 'general') return 'C0001'
    return channels.find((channel) => channel.id === value)?.id
  }

  function handle(method: string, args: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://tessera-test.slack.com/',
          team: 'Tessera',
          user: 'tessera-bot',
          team_id: 'T0001',
          user_id: botUser,
          bot_id: 'B0001',
        }
      case 'chat.postMessage': {
        const channel = channelId(args.channel)
        if (channel === undefined) return { ok: false, error: 'channel_not_found' }
        if (args.text === undefined && args.blocks === undefined)
          return { ok: false, error: 'no_text' }
        let blocks: unknown
        try {
          blocks = args.blocks === undefined ? undefined : JSON.parse(String(args.blocks))
        } catch {
          return { ok: false, error: 'invalid_blocks' }
        }
        const message: SlackMessage = {
          channel,
          ts: `${clock++}.000100`,
          text: args.text as string | undefined,
          blocks,
          thread_ts: args.thread_ts as string | undefined,
          metadata: args.metadata === undefined ? undefined : JSON.parse(String(args.metadata)),
          reactions: [],
        }
        messages.push(message)
        return {
          ok: true,
          channel,
          ts: message.ts,
          message: {
            type: 'message',
            user: botUser,
            bot_id: 'B0001',
            text: message.text ?? '',
            ts: message.ts,
          },
        }
      }
      case 'chat.update': {
        const channel = channelId(args.channel)
        if (channel === undefined) return { ok: false, error: 'channel_not_found' }
        const message = messages.find((m) => m.channel === channel && m.ts === args.ts)
        if (!message) return { ok: false, error: 'message_not_found' }
        if (args.text !== undefined) message.text = String(args.text)
        if (args.blocks !== undefined) message.blocks = JSON.parse(String(args.blocks))
        return { ok: true, channel, ts: message.ts, text: message.text ?? '' }
      }
      case 'reactions.add': {
        const message = messages.find(
          (m) => m.channel === channelId(args.channel) && m.ts === args.timestamp,
        )
        if (!message) return { ok: false, error: 'message_not_found' }
        if (message.reactions.includes(String(args.name)))
          return { ok: false, error: 'already_reacted' }
        message.reactions.push(String(args.name))
        return { ok: true }
      }
      case 'conversations.list': {
        const types = String(args.types ?? 'public_channel').split(',')
        const excludeArchived = args.exclude_archived === 'true' || args.exclude_archived === true
        const visible = channels.filter(
          (channel) =>
            types.includes(channel.is_private ? 'private_channel' : 'public_channel') &&
            !(excludeArchived && channel.is_archived),
        )
        const limit = Math.min(Number(args.limit ?? 100), 1000)
        let offset = 0
        if (args.cursor !== undefined) {
          const decoded = /^offset:(\d+)$/.exec(
            Buffer.from(String(args.cursor), 'base64').toString(),
          )
          if (!decoded) return { ok: false, error: 'invalid_cursor' }
          offset = Number(decoded[1])
        }
        const page = visible.slice(offset, offset + limit)
        const next =
          offset + limit < visible.length
            ? Buffer.from(`offset:${offset + limit}`).toString('base64')
            : ''
        return { ok: true, channels: page, response_metadata: { next_cursor: next } }
      }
      default:
        return { ok: false, error: 'unknown_method' }
    }
  }

  return {
    url: `${server.url}/api/`,
    requests,
    messages,
    rateLimitNext(seconds) {
      overrides.push((response) =>
        sendJson(
          response,
          429,
          { ok: false, error: 'ratelimited' },
          { 'retry-after': String(seconds) },
        ),
      )
    },
    failNext(status) {
      overrides.push((response) => {
        response.writeHead(status, { 'content-type': 'text/html' })
        response.end('<html><body>upstream unavailable</body></html>')
      })
    },
    get holding() {
      return server.holding
    },
    hangingClosed: server.hangingClosed,
    close: server.close,
  }
}

function answer(response: ServerResponse, body: Record<string, unknown>) {
  sendJson(response, 200, body, { 'content-type': 'application/json; charset=utf-8' })
}

function parseArgs(type: string | undefined, body: string): Record<string, unknown> {
  if (body === '') return {}
  if (type?.startsWith('application/json')) return JSON.parse(body) as Record<string, unknown>
  return Object.fromEntries(new URLSearchParams(body))
}
