// A real MCP server for the MCP connector's tests, built with the SDK's McpServer.
//   node mcp-server.mjs stdio            speaks MCP over stdin/stdout
//   node mcp-server.mjs http TOKEN       speaks Streamable HTTP on 127.0.0.1 (prints "listening PORT");
//                                        requests without "authorization: Bearer TOKEN" get a 401
// Tools: add (structured output), echo (text; reports the request's _meta and an env value),
// slow (waits until cancelled; counts cancellations), cancellations (that count), fail (isError),
// crash (the process exits without answering).
// tools/list is paginated two tools per page, so the client has to follow nextCursor.
// With FIXTURE_LOG=path it appends JSON lines: slow-start, slow-cancelled, and (HTTP) every
// tools/call with its _meta idempotency key; while the file FIXTURE_LOG + '.fail' exists, the next
// tools/call gets an HTTP 503 (the file is removed); while FIXTURE_LOG + '.forget' exists, the
// server forgets its sessions (unknown sessions get the spec's 404).
import { Buffer } from 'node:buffer'
import { randomUUID } from 'node:crypto'
import { appendFileSync, existsSync, unlinkSync } from 'node:fs'
import { createServer } from 'node:http'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'

let cancelled = 0
const logPath = process.env.FIXTURE_LOG
const log = (entry) => {
  if (logPath) appendFileSync(logPath, `${JSON.stringify(entry)}\n`)
}

function buildServer() {
  const server = new McpServer({ name: 'fixture-tools', version: '1.0.0' })
  server.registerTool(
    'add',
    {
      description: 'Adds two numbers',
      inputSchema: { a: z.number().describe('first'), b: z.number().describe('second') },
      outputSchema: { sum: z.number() },
    },
    async ({ a, b }) => ({
      content: [{ type: 'text', text: String(a + b) }],
      structuredContent: { sum: a + b },
    }),
  )
  server.registerTool(
    'echo',
    {
      description: 'Echoes a message',
      inputSchema: {
        message: z.string().describe('The text to echo'),
        shout: z.boolean().optional().describe('Upper-case it'),
      },
    },
    async ({ message, shout }, extra) => ({
      content: [
        { type: 'text', text: shout ? message.toUpperCase() : message },
        {
          type: 'text',
          text: JSON.stringify({
            meta: extra._meta ?? null,
            env: process.env.FIXTURE_SECRET ?? null,
            xExtra: extra.requestInfo?.headers?.['x-extra'] ?? null,
          }),
        },
      ],
    }),
  )
  server.registerTool(
    'slow',
    { description: 'Waits until cancelled (or 20 s)', inputSchema: {} },
    (_input, extra) =>
      new Promise((resolve) => {
        log({ event: 'slow-start' })
        const timer = setTimeout(
          () => resolve({ content: [{ type: 'text', text: 'done' }] }),
          20_000,
        )
        extra.signal.addEventListener('abort', () => {
          clearTimeout(timer)
          cancelled += 1
          log({ event: 'slow-cancelled' })
          resolve({ content: [{ type: 'text', text: 'cancelled' }] })
        })
      }),
  )
  server.registerTool(
    'cancellations',
    { description: 'How many slow calls were cancelled', inputSchema: {} },
    async () => ({
      content: [{ type: 'text', text: String(cancelled) }],
      structuredContent: { cancelled },
    }),
  )
  server.registerTool(
    'fail',
    {
      description: 'Always fails',
      inputSchema: { why: z.string().optional().describe('What to say went wrong') },
    },
    async ({ why }) => ({
      isError: true,
      content: [{ type: 'text', text: `it failed: ${why ?? 'no reason'}` }],
    }),
  )
  server.registerTool(
    'crash',
    { description: 'Stops the server process without answering', inputSchema: {} },
    () =>
      new Promise(() => {
        setImmediate(() => process.exit(1))
      }),
  )
  // Page tools/list two at a time, as a large server would.
  const original = server.server._requestHandlers.get('tools/list')
  server.server.setRequestHandler(ListToolsRequestSchema, async (request, extra) => {
    const all = await original(request, extra)
    const start = Number(request.params?.cursor ?? 0)
    const tools = all.tools.slice(start, start + 2)
    return {
      tools,
      ...(start + 2 < all.tools.length ? { nextCursor: String(start + 2) } : {}),
    }
  })
  return server
}

const mode = process.argv[2]
if (mode === 'stdio') {
  await buildServer().connect(new StdioServerTransport())
} else if (mode === 'http') {
  const token = process.argv[3]
  const sessions = new Map()
  const http = createServer(async (request, response) => {
    if (request.headers.authorization !== `Bearer ${token}`) {
      response.writeHead(401, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ error: 'invalid_token' }))
      return
    }
    let body
    if (request.method === 'POST') {
      const chunks = []
      for await (const chunk of request) chunks.push(chunk)
      body = JSON.parse(Buffer.concat(chunks).toString() || 'null')
      if (body?.method === 'tools/call') {
        log({
          event: 'call',
          tool: body.params?.name,
          key: body.params?._meta?.['tessera.dev/idempotency-key'],
        })
        if (logPath && existsSync(`${logPath}.fail`)) {
          unlinkSync(`${logPath}.fail`)
          response.writeHead(503, { 'content-type': 'text/plain' })
          response.end('try again')
          return
        }
      }
    }
    if (logPath && existsSync(`${logPath}.forget`)) {
      // Forget every session, as a restarted server would.
      unlinkSync(`${logPath}.forget`)
      sessions.clear()
    }
    const sessionId = request.headers['mcp-session-id']
    let transport = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined
    if (typeof sessionId === 'string' && transport === undefined) {
      // The spec's answer to an unknown session: 404, and the client starts a new one.
      response.writeHead(404, { 'content-type': 'application/json' })
      response.end(
        JSON.stringify({
          jsonrpc: '2.0',
          error: { code: -32001, message: 'Session not found' },
          id: null,
        }),
      )
      return
    }
    if (transport === undefined) {
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => sessions.set(id, transport),
      })
      transport.onclose = () => sessions.delete(transport.sessionId)
      await buildServer().connect(transport)
    }
    await transport.handleRequest(request, response, body)
  })
  http.listen(0, '127.0.0.1', () => console.log(`listening ${http.address().port}`))
} else {
  console.error('usage: mcp-server.mjs stdio | http TOKEN')
  process.exit(2)
}
