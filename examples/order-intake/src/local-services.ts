// Two small HTTP services the example starts on loopback so that it runs anywhere:
// - an inventory API (GET /stock/:sku, bearer token required), standing in for your own service;
// - when no SLACK_BOT_TOKEN is set, a stand-in for Slack's Web API that answers
//   auth.test and chat.postMessage the way Slack documents them and remembers what it got. With a real token
//   the example posts to Slack itself.
import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server } from 'node:http'

export interface LocalService {
  url: string
  close(): Promise<void>
}

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  return `http://127.0.0.1:${address.port}`
}

function close(server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((resolve, reject) =>
    server.close((error) => (error ? reject(error) : resolve())),
  )
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** The inventory API: stock per SKU, behind a bearer token. */
export async function startInventoryApi(
  token: string,
  stock: Record<string, number>,
): Promise<LocalService> {
  const server = createServer((request, response) => {
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' })
      response.end(JSON.stringify(body))
    }
    if (request.headers.authorization !== `Bearer ${token}`) {
      return reply(401, { error: 'a valid bearer token is required' })
    }
    const match = /^\/stock\/([^/?]+)$/.exec(request.url ?? '')
    if (request.method !== 'GET' || !match) return reply(404, { error: 'not found' })
    const sku = decodeURIComponent(match[1]!)
    if (!(sku in stock)) return reply(404, { error: `unknown SKU ${sku}` })
    return reply(200, { sku, available: stock[sku] })
  })
  const url = await listen(server)
  return { url, close: () => close(server) }
}

export interface SlackStandIn extends LocalService {
  /** The messages chat.postMessage received, in order. */
  messages: { channel: string; text: string }[]
}

/** Answers `auth.test` and `chat.postMessage` as Slack's Web API documents them. */
export async function startSlackStandIn(token: string): Promise<SlackStandIn> {
  const messages: { channel: string; text: string }[] = []
  const server = createServer(async (request, response) => {
    const raw = await readBody(request)
    const fields: Record<string, unknown> = (request.headers['content-type'] ?? '').includes(
      'application/json',
    )
      ? (JSON.parse(raw) as Record<string, unknown>)
      : Object.fromEntries(new URLSearchParams(raw))
    const reply = (body: unknown) => {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
      response.end(JSON.stringify(body))
    }
    if (request.headers.authorization !== `Bearer ${token}`) {
      return reply({ ok: false, error: 'invalid_auth' })
    }
    if (request.url?.endsWith('/auth.test')) {
      return reply({
        ok: true,
        url: 'https://example.slack.com/',
        team: 'Example',
        user: 'tessera',
      })
    }
    if (!request.url?.endsWith('/chat.postMessage')) {
      return reply({ ok: false, error: 'unknown_method' })
    }
    const channel = String(fields.channel ?? '')
    const text = String(fields.text ?? '')
    messages.push({ channel, text })
    const ts = `${Math.floor(Date.now() / 1000)}.${String(messages.length).padStart(6, '0')}`
    return reply({ ok: true, channel, ts, message: { type: 'message', text, ts } })
  })
  const url = await listen(server)
  return { url: `${url}/api/`, messages, close: () => close(server) }
}
