import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll } from 'vitest'
import { z } from 'zod'
import { ConnectorError, defineConnector, secretRef } from '../index'
import { describeConnectorConformance } from './index'

// A tiny connector for a made-up "notes" API, written the way the contract asks: it is what the
// suite runs against here (the real connectors run it in @tessera/connectors).
const fail = (action: string, reason: ConnectorError['reason'], message: string, extra = {}) =>
  new ConnectorError({ connector: 'notes', action, reason, message, ...extra })

async function call(
  action: string,
  config: { apiKey: string; baseUrl: string },
  path: string,
  init: { method: string; body?: unknown; idempotencyKey?: string; signal: AbortSignal },
): Promise<unknown> {
  let response: Response
  try {
    response = await fetch(new URL(path, config.baseUrl), {
      method: init.method,
      headers: {
        authorization: `Bearer ${config.apiKey}`,
        'content-type': 'application/json',
        ...(init.idempotencyKey ? { 'idempotency-key': init.idempotencyKey } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      signal: init.signal,
    })
  } catch (error) {
    if (init.signal.aborted) throw fail(action, 'aborted', 'the call was aborted', { cause: error })
    throw fail(action, 'network', `cannot reach ${new URL(config.baseUrl).host}`, { cause: error })
  }
  const text = await response.text()
  if (response.status === 401)
    throw fail(action, 'unauthorized', 'the API key was rejected', { status: 401 })
  if (response.status >= 500)
    throw fail(action, 'remote', `the API answered ${response.status}`, {
      status: response.status,
      retryable: true,
    })
  try {
    return JSON.parse(text)
  } catch (error) {
    throw fail(action, 'invalid-response', 'the answer is not JSON', { cause: error })
  }
}

const notes = defineConnector({
  id: 'notes',
  name: 'Notes',
  description: 'Saves notes in the Notes API (a conformance fixture).',
  docs: 'https://tessera.dev/docs/connectors/authoring',
  config: z
    .object({
      apiKey: secretRef({ description: 'The Notes API key' }),
      baseUrl: z.string().url().describe('The API base URL'),
    })
    .strict(),
  actions: {
    save: {
      title: 'Save a note',
      description: 'Creates a note; the idempotency key makes a retried save create one note.',
      examples: [{ input: { text: 'hello' } }],
      input: z.object({ text: z.string().describe('The note text') }),
      output: z.object({ id: z.string() }),
      run: async ({ config, input, signal, idempotencyKey }) =>
        (await call('save', config, '/notes', {
          method: 'POST',
          body: input,
          idempotencyKey,
          signal,
        })) as { id: string },
    },
  },
  check: async ({ config, signal }) => {
    await call('check', config, '/me', { method: 'GET', signal })
  },
})

const apiKey = 'notes-key-conformance-0123'
const server = {
  url: '',
  lastIdempotencyKey: undefined as string | undefined,
  holding: 0,
  released: 0,
  failures: 0,
}
let http: Server

beforeAll(async () => {
  http = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const json = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' })
        response.end(JSON.stringify(body))
      }
      if (request.headers.authorization !== `Bearer ${apiKey}`)
        return json(401, { error: 'invalid_api_key' })
      if (request.url === '/me') return json(200, { ok: true })
      server.lastIdempotencyKey = request.headers['idempotency-key'] as string | undefined
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text: string }
      if (server.failures > 0) {
        server.failures--
        return json(503, { error: 'try again' })
      }
      if (body.text === 'slow') {
        server.holding++
        response.on('close', () => {
          server.holding--
          server.released++
        })
        return
      }
      json(201, { id: `note-${server.lastIdempotencyKey}` })
    })
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  server.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
})

afterAll(async () => {
  http.closeAllConnections()
  await new Promise((resolve) => http.close(resolve))
})

describeConnectorConformance({
  connector: notes,
  config: () => ({ apiKey: { $secret: 'NOTES_KEY' }, baseUrl: server.url }),
  secrets: { NOTES_KEY: apiKey },
  action: { name: 'save', input: { text: 'hello' } },
  unreachable: () => ({ apiKey: { $secret: 'NOTES_KEY' }, baseUrl: 'http://127.0.0.1:9' }),
  rejectedSecrets: { NOTES_KEY: 'notes-key-wrong-4567' },
  slow: () => {
    const before = server.released
    return {
      name: 'save',
      input: { text: 'slow' },
      inFlight: () => server.holding > 0,
      released: () => server.released > before,
    }
  },
  idempotency: {
    lastReceived: () => server.lastIdempotencyKey,
    failNext: () => {
      server.failures = 1
    },
  },
})
