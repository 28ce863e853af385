import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  ConnectorError,
  createEngine,
  createWorkflow,
  type Logger,
  type SecretsProviderV1,
} from '@tessera/core'
import { mcpFixturePath, startMcpHttpFixture } from '../../test/fakes/mcp-fixture'
import { uniqueName } from '../../test/services'
import {
  createMcpConnector,
  mcpIdempotencyMetaKey,
  type McpConnector,
} from './create-mcp-connector'

// The MCP connector against a real MCP server (the SDK's McpServer in a child process), over
// stdio and over Streamable HTTP.

const logger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger
const token = 'mcp-token-42'

function call(
  connector: McpConnector,
  action: string,
  input: unknown,
  options: { signal?: AbortSignal; config?: object; idempotencyKey?: string } = {},
) {
  const found = connector.actions[action]!
  return found.run({
    config: (options.config ?? {}) as never,
    input: found.input.parse(input),
    signal: options.signal ?? new AbortController().signal,
    idempotencyKey: options.idempotencyKey ?? 'key-1',
    logger,
  }) as Promise<any>
}

describe('MCP connector over stdio', () => {
  let connector: McpConnector
  beforeAll(async () => {
    connector = await createMcpConnector({
      id: 'fixture',
      transport: {
        type: 'stdio',
        command: process.execPath,
        args: [mcpFixturePath, 'stdio'],
        stderr: 'ignore',
      },
    })
  })
  afterAll(() => connector?.close())

  it('lists every tool across tools/list pages as actions with converted schemas', () => {
    expect(connector.name).toBe('fixture-tools')
    expect(connector.tools.map((tool) => tool.name)).toEqual([
      'add',
      'echo',
      'slow',
      'cancellations',
      'fail',
      'crash',
    ])
    const add = connector.actions.add!
    expect(add.description).toBe('Adds two numbers')
    expect(add.input.safeParse({ a: 1, b: 2 }).success).toBe(true)
    expect(add.input.safeParse({ a: 'one', b: 2 }).success).toBe(false)
    expect(add.input.safeParse({ a: 1 }).success).toBe(false)
    expect(add.examples).toEqual([{ input: { a: 1, b: 1 } }])
    expect(connector.config.safeParse({ env: { TOKEN: 'inline' } }).success).toBe(false)
    expect(connector.config.safeParse({ env: { TOKEN: { $secret: 'T' } } }).success).toBe(true)
  })

  it('returns structured content for tools with an outputSchema, else content and text', async () => {
    expect(await call(connector, 'add', { a: 2, b: 40 })).toEqual({ sum: 42 })
    const echoed = await call(
      connector,
      'echo',
      { message: 'hi', shout: true },
      {
        idempotencyKey: 'run-1:echo',
      },
    )
    expect(echoed.text.split('\n')[0]).toBe('HI')
    expect(echoed.content[0]).toEqual({ type: 'text', text: 'HI' })
    // The idempotency key travels in _meta.
    expect(JSON.parse(echoed.text.split('\n')[1]).meta).toMatchObject({
      [mcpIdempotencyMetaKey]: 'run-1:echo',
    })
  })

  it('a per-configuration env (a resolved secret) starts its own server process', async () => {
    const echoed = await call(
      connector,
      'echo',
      { message: 'x' },
      {
        config: { env: { FIXTURE_SECRET: 's3cret' } },
      },
    )
    expect(JSON.parse(echoed.text.split('\n')[1]).env).toBe('s3cret')
  })

  it('isError results throw ConnectorError remote with the tool text', async () => {
    const error = await call(connector, 'fail', { why: 'disk full' }).catch((caught) => caught)
    expect(ConnectorError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ reason: 'remote', connector: 'fixture', action: 'fail' })
    expect(error.message).toContain('it failed: disk full')
  })

  it('abort cancels the call on the server (notifications/cancelled)', async () => {
    const cancellations = async () => Number((await call(connector, 'cancellations', {})).text)
    const before = await cancellations()
    const controller = new AbortController()
    const pending = call(connector, 'slow', {}, { signal: controller.signal })
    await new Promise((resolve) => setTimeout(resolve, 100))
    controller.abort()
    await expect(pending).rejects.toMatchObject({ reason: 'aborted' })
    // The server saw the cancellation: its tool's signal fired.
    for (let attempt = 0; attempt < 50; attempt++) {
      if ((await cancellations()) > before) break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(await cancellations()).toBe(before + 1)
  })

  it('a server that dies fails the call with network; the next call starts it again', async () => {
    await expect(call(connector, 'crash', {})).rejects.toMatchObject({
      reason: 'network',
      retryable: true,
    })
    expect(await call(connector, 'add', { a: 1, b: 1 })).toEqual({ sum: 2 })
  })

  it('check pings the server', async () => {
    await expect(
      connector.check!({ config: {}, signal: new AbortController().signal, logger }),
    ).resolves.toBeUndefined()
  })

  it('runs as a workflow action node through the engine, env secret resolved', async () => {
    const workflow = createWorkflow({ id: 'mcp-echo', input: z.object({ message: z.string() }) })
      .map(({ input }) => ({ message: input.message }))
      .action(connector, 'echo', { env: { FIXTURE_SECRET: { $secret: 'FIXTURE_SECRET' } } })
      .commit()
    const secrets: SecretsProviderV1 = {
      specificationVersion: 'v1',
      provider: 'test',
      get: async (name) => (name === 'FIXTURE_SECRET' ? 'from-provider' : undefined),
    }
    const engine = createEngine({ secrets })
    try {
      const run = await engine.start(workflow, { message: 'through the engine' })
      const output = (await run.result()) as { text: string }
      const [first, second] = output.text.split('\n')
      expect(first).toBe('through the engine')
      expect(JSON.parse(second!)).toMatchObject({
        env: 'from-provider',
        meta: { [mcpIdempotencyMetaKey]: expect.stringContaining(run.id) },
      })
    } finally {
      await engine.close()
    }
  })

  it('a command that does not exist is invalid-config', async () => {
    await expect(
      createMcpConnector({
        transport: { type: 'stdio', command: '/nonexistent/mcp-server', stderr: 'ignore' },
      }),
    ).rejects.toMatchObject({ reason: 'invalid-config', connector: 'mcp', action: 'connect' })
  })
})

describe('MCP connector over Streamable HTTP', () => {
  let server: Awaited<ReturnType<typeof startMcpHttpFixture>>
  let connector: McpConnector
  const logPath = join(tmpdir(), `${uniqueName('mcp-http')}.jsonl`)
  beforeAll(async () => {
    server = await startMcpHttpFixture(token, { logPath })
    connector = await createMcpConnector({
      id: 'remote',
      transport: {
        type: 'http',
        url: server.url,
        headers: { authorization: `Bearer ${token}`, 'x-extra': 'from-settings' },
      },
      tools: ['add', 'echo', 'fail'],
    })
  })
  afterAll(async () => {
    await connector?.close()
    await server?.stop()
    rmSync(logPath, { force: true })
  })

  it('calls tools; the tools filter applies', async () => {
    expect(Object.keys(connector.actions)).toEqual(['add', 'echo', 'fail'])
    expect(await call(connector, 'add', { a: 1, b: 2 })).toEqual({ sum: 3 })
    const echoed = await call(
      connector,
      'echo',
      { message: 'hello' },
      {
        config: { headers: { 'x-extra': 'from-config' } },
      },
    )
    expect(JSON.parse(echoed.text.split('\n')[1]).xExtra).toBe('from-config')
    await expect(call(connector, 'fail', {})).rejects.toMatchObject({ reason: 'remote' })
  })

  it('a session the server forgot (404) is replaced by a new one, and the call sent again', async () => {
    expect(await call(connector, 'add', { a: 1, b: 1 })).toEqual({ sum: 2 })
    writeFileSync(`${logPath}.forget`, '')
    expect(await call(connector, 'add', { a: 2, b: 2 }, { idempotencyKey: 'run-9:add' })).toEqual({
      sum: 4,
    })
    const calls = readFileSync(logPath, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { event: string; key?: string })
      .filter((entry) => entry.event === 'call')
    // The first attempt reached the server with the forgotten session; the second a new one.
    expect(calls.slice(-2).map((entry) => entry.key)).toEqual(['run-9:add', 'run-9:add'])
    expect(existsSync(`${logPath}.forget`)).toBe(false)
  })

  it('rejected credentials are unauthorized, without the secret in the message', async () => {
    const error = await call(
      connector,
      'add',
      { a: 1, b: 2 },
      {
        config: { headers: { authorization: 'Bearer wrong-secret' } },
      },
    ).catch((caught) => caught)
    expect(error).toMatchObject({ reason: 'unauthorized', status: 401 })
    expect(error.message).not.toContain('wrong-secret')
    await expect(
      createMcpConnector({ transport: { type: 'http', url: server.url } }),
    ).rejects.toMatchObject({ reason: 'unauthorized', action: 'connect' })
  })

  it('discovers with a discoveryConfig whose secrets a provider resolves', async () => {
    const discoveryConfig = { headers: { authorization: { $secret: 'MCP_AUTH' } } }
    await expect(
      createMcpConnector({ transport: { type: 'http', url: server.url }, discoveryConfig }),
    ).rejects.toMatchObject({
      reason: 'invalid-config',
      message: expect.stringContaining('MCP_AUTH'),
    })
    const secrets: SecretsProviderV1 = {
      specificationVersion: 'v1',
      provider: 'test',
      get: async (name) => (name === 'MCP_AUTH' ? `Bearer ${token}` : undefined),
    }
    const discovered = await createMcpConnector({
      transport: { type: 'http', url: server.url },
      discoveryConfig,
      secrets,
    })
    try {
      expect(discovered.tools.map((tool) => tool.name)).toContain('add')
      expect(
        await call(
          discovered,
          'add',
          { a: 2, b: 3 },
          {
            config: { headers: { authorization: `Bearer ${token}` } },
          },
        ),
      ).toEqual({ sum: 5 })
    } finally {
      await discovered.close()
    }
  })

  it('an unreachable server is network', async () => {
    await expect(
      createMcpConnector({ transport: { type: 'http', url: 'http://127.0.0.1:1/mcp' } }),
    ).rejects.toMatchObject({ reason: 'network', retryable: true })
  })
})
