import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  ConnectorError,
  createEngine,
  createMemoryStore,
  createStep,
  createWorkflow,
  mapSecrets,
  type EngineEventName,
  type Logger,
  type StoreV1,
} from '@tessera/core'
import {
  connectorTool,
  connectorTools,
  createScriptedModel,
  defineAgent,
  type ScriptedReply,
} from '@tessera/agents'
import { createHttpConnector } from '@tessera/connectors/http'

// Connector actions as agent tools, with credentials as secret references: the HTTP connector
// against a local API that echoes the credential it receives (so a leak would show), driven by
// a scripted model, standalone and as an agent node inside an engine.

const token = 'tok-7f3a9c1e5b2d4680'
const received: { path: string; authorization: string | undefined }[] = []
let server: Server
let baseUrl: string

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname
    received.push({ path, authorization: request.headers.authorization })
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' })
      response.end(JSON.stringify(body))
    }
    if (request.headers.authorization !== `Bearer ${token}`) {
      send(401, { error: `credential "${request.headers.authorization ?? ''}" is not accepted` })
    } else if (path === '/whoami') {
      send(200, { user: 'ann', seenAuthorization: request.headers.authorization })
    } else if (path === '/revoked') {
      send(403, { error: `token ${token} was revoked` })
    } else {
      send(404, { error: 'no such path' })
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const api = createHttpConnector({ id: 'acme-api' })
const config = () => ({
  baseUrl,
  auth: { type: 'bearer' as const, token: { $secret: 'API_TOKEN' } },
})

/** A model that calls `toolName` with `input`, then answers "done". */
function callsTool(toolName: string, input: unknown, answer: ScriptedReply = 'done') {
  return createScriptedModel([
    { content: [{ type: 'tool-call', toolCallId: 'call-1', toolName, input }] },
    answer,
  ])
}

/** Every line logged through it (and its children), message and fields as JSON. */
function capturingLogger(lines: string[]): Logger {
  const make = (bindings: Record<string, unknown>): Logger => {
    const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
      lines.push(JSON.stringify({ level, message, ...bindings, ...fields }))
    }
    return {
      debug: log('debug'),
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
      child: (more) => make({ ...bindings, ...more }),
    }
  }
  return make({})
}

/** A memory store that remembers every argument written to it, as JSON. */
function recordingStore(writes: string[]): StoreV1 {
  const store = createMemoryStore()
  return new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        writes.push(safeJson(args))
        const result = value.apply(target, args)
        if (result instanceof Promise)
          return result.then((answer: unknown) => {
            writes.push(safeJson(answer))
            return answer
          })
        return result
      }
    },
  })
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, item) =>
      typeof item === 'bigint'
        ? String(item)
        : item instanceof Error
          ? { message: item.message, stack: item.stack }
          : item,
    )
  } catch {
    return String(value)
  }
}

describe('connectorTool with secret references, standalone', () => {
  it('sends the resolved token to the API and shows the model only [secret:API_TOKEN]', async () => {
    received.length = 0
    const lines: string[] = []
    const model = callsTool('whoami', { method: 'GET', path: '/whoami' })
    const agent = defineAgent({
      id: 'whoami-agent',
      instructions: 'Find out who we are.',
      model,
      tools: {
        whoami: connectorTool(api, 'request', {
          config: config(),
          secrets: mapSecrets({ API_TOKEN: token }),
        }),
      },
    })
    const result = await agent.generate('who are we?', { logger: capturingLogger(lines) })
    expect(result.output).toBe('done')
    expect(received).toEqual([{ path: '/whoami', authorization: `Bearer ${token}` }])
    const toolResult = result.steps[0]!.toolResults[0]!
    expect(toolResult.isError).toBe(false)
    expect(toolResult.output).toMatchObject({
      status: 200,
      body: { user: 'ann', seenAuthorization: 'Bearer [secret:API_TOKEN]' },
    })
    // What the model was sent on its second call, what the run returns, what was logged.
    expect(JSON.stringify(model.calls)).toContain('[secret:API_TOKEN]')
    expect(JSON.stringify(model.calls)).not.toContain(token)
    expect(JSON.stringify(result)).not.toContain(token)
    expect(lines.length).toBeGreaterThan(0)
    expect(lines.join('\n')).not.toContain(token)
  })

  it('takes the secrets of generate({ secrets }) when the tool has none', async () => {
    received.length = 0
    const agent = defineAgent({
      id: 'whoami-by-run',
      instructions: 'x',
      model: callsTool('whoami', { method: 'GET', path: '/whoami' }),
      tools: { whoami: connectorTool(api, 'request', { config: config() }) },
    })
    const result = await agent.generate('who?', {
      secrets: [mapSecrets({ OTHER: 'x' }), mapSecrets({ API_TOKEN: token })],
    })
    expect(received).toEqual([{ path: '/whoami', authorization: `Bearer ${token}` }])
    expect(result.steps[0]!.toolResults[0]!.output).toMatchObject({ status: 200 })
  })

  it('reports a missing secret by name to the model, without calling the API', async () => {
    received.length = 0
    const model = callsTool('whoami', { method: 'GET', path: '/whoami' })
    const agent = defineAgent({
      id: 'whoami-missing',
      instructions: 'x',
      model,
      tools: {
        whoami: connectorTool(api, 'request', {
          config: config(),
          secrets: mapSecrets({ SOMETHING_ELSE: token }),
        }),
      },
    })
    const result = await agent.generate('who?')
    expect(received).toEqual([])
    const toolResult = result.steps[0]!.toolResults[0]!
    expect(toolResult.isError).toBe(true)
    expect(JSON.stringify(toolResult.output)).toMatch(
      /config\.auth\.token refers to secret \\"API_TOKEN\\", which no secrets provider has/,
    )
    expect(JSON.stringify(model.calls[1])).toContain('API_TOKEN')
  })

  it('fails the run with a typed invalid-config error when onError is "throw" and no provider exists', async () => {
    received.length = 0
    const agent = defineAgent({
      id: 'whoami-throw',
      instructions: 'x',
      model: callsTool('whoami', { method: 'GET', path: '/whoami' }),
      tools: {
        whoami: connectorTool(api, 'request', { config: config(), onError: 'throw' }),
      },
    })
    const error = await agent.generate('who?').catch((thrown: unknown) => thrown)
    expect(ConnectorError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({
      reason: 'invalid-config',
      connector: 'acme-api',
      retryable: false,
    })
    expect((error as Error).message).toContain(
      'secret "API_TOKEN", but no secrets provider was given',
    )
    expect(received).toEqual([])
  })

  it('redacts the token from a connector error that quotes the API', async () => {
    received.length = 0
    const model = callsTool('call', { method: 'GET', path: '/revoked' })
    const agent = defineAgent({
      id: 'revoked',
      instructions: 'x',
      model,
      tools: {
        call: connectorTool(api, 'request', {
          config: { ...config(), errors: 'throw' },
          secrets: mapSecrets({ API_TOKEN: token }),
        }),
      },
    })
    const result = await agent.generate('try')
    expect(received).toEqual([{ path: '/revoked', authorization: `Bearer ${token}` }])
    const toolResult = result.steps[0]!.toolResults[0]!
    expect(toolResult.isError).toBe(true)
    expect(JSON.stringify(toolResult.output)).toContain('[secret:API_TOKEN] was revoked')
    expect(JSON.stringify(model.calls)).not.toContain(token)

    // With onError "throw" the run's error is redacted too.
    const throwing = defineAgent({
      id: 'revoked-throw',
      instructions: 'x',
      model: callsTool('call', { method: 'GET', path: '/revoked' }),
      tools: {
        call: connectorTool(api, 'request', {
          config: { ...config(), errors: 'throw' },
          secrets: mapSecrets({ API_TOKEN: token }),
          onError: 'throw',
        }),
      },
    })
    const error = await throwing.generate('try').catch((thrown: unknown) => thrown)
    expect(error).toMatchObject({ reason: 'unauthorized', connector: 'acme-api' })
    expect(safeJson(error) + String((error as Error).stack)).not.toContain(token)
    expect((error as Error).message).toContain('[secret:API_TOKEN]')
  })
})

describe('connectorTools', () => {
  it('gives an agent one tool per action, named <connector>_<action>, sharing config and secrets', async () => {
    received.length = 0
    const tools = connectorTools(api, {
      config: config(),
      secrets: mapSecrets({ API_TOKEN: token }),
    })
    expect(Object.keys(tools)).toEqual(Object.keys(api.actions).map((name) => `acme-api_${name}`))
    expect(tools['acme-api_request']!.description).toMatch(/request/i)
    const model = callsTool('acme-api_request', { method: 'GET', path: '/whoami' })
    const agent = defineAgent({ id: 'all-tools', instructions: 'x', model, tools })
    const result = await agent.generate('who?')
    expect(received).toEqual([{ path: '/whoami', authorization: `Bearer ${token}` }])
    expect(result.steps[0]!.toolResults[0]!.output).toMatchObject({ status: 200 })
    expect(model.calls[0]!.tools!.map((tool) => tool.name)).toEqual(Object.keys(tools))
  })
})

describe('connector tools of an agent node inside an engine', () => {
  const events: EngineEventName[] = [
    'run-start',
    'run-end',
    'step-start',
    'step-end',
    'step-retry',
    'step-suspend',
  ]

  async function runAgentNode(secrets: Record<string, string>, onError?: 'throw') {
    const lines: string[] = []
    const writes: string[] = []
    const seen: string[] = []
    const model = callsTool('whoami', { method: 'GET', path: '/whoami' })
    const agent = defineAgent({
      id: `engine-agent-${onError ?? 'result'}-${Object.keys(secrets).length}`,
      instructions: 'Find out who we are.',
      model,
      input: z.object({ question: z.string() }),
      tools: {
        whoami: connectorTool(api, 'request', {
          config: config(),
          ...(onError === undefined ? {} : { onError }),
        }),
      },
    })
    const workflow = createWorkflow({
      id: `whoami-flow-${onError ?? 'result'}-${Object.keys(secrets).length}`,
      input: z.object({ question: z.string() }),
    })
      .agent(agent)
      .commit()
    const engine = createEngine({
      secrets: mapSecrets(secrets),
      store: recordingStore(writes),
      logger: capturingLogger(lines),
    })
    for (const name of events) engine.on(name, (event) => seen.push(safeJson(event)))
    try {
      const run = await engine.start(workflow, { question: 'who are we?' })
      const outcome = await run.result().then(
        (output) => ({ output, error: undefined }),
        (error: unknown) => ({ output: undefined, error }),
      )
      const steps = await run.steps()
      const record = await run.record()
      return { outcome, steps, record, lines, writes, seen, model }
    } finally {
      await engine.close()
    }
  }

  it('resolves the token from the engine secrets; it is in no event, log line, stored step or model message', async () => {
    received.length = 0
    const ran = await runAgentNode({ API_TOKEN: token })
    expect(ran.outcome).toEqual({ output: 'done', error: undefined })
    expect(received).toEqual([{ path: '/whoami', authorization: `Bearer ${token}` }])
    expect(JSON.stringify(ran.model.calls[1])).toContain('[secret:API_TOKEN]')
    expect(ran.writes.length).toBeGreaterThan(0)
    expect(ran.seen.length).toBeGreaterThan(0)
    // The recorded tool call is in the store (redacted), so the check below looks at it.
    expect(ran.writes.join('\n')).toContain('Bearer [secret:API_TOKEN]')
    for (const text of [
      JSON.stringify(ran.model.calls),
      ran.writes.join('\n'),
      ran.seen.join('\n'),
      ran.lines.join('\n'),
      safeJson(ran.steps),
      safeJson(ran.record),
    ]) {
      expect(text).not.toContain(token)
    }
  })

  it('reports a secret the engine does not have: to the model, or as the failed run', async () => {
    received.length = 0
    const asResult = await runAgentNode({})
    expect(asResult.outcome.output).toBe('done')
    expect(JSON.stringify(asResult.model.calls[1])).toMatch(
      /tool \\"whoami\\".*config\.auth\.token refers to secret \\"API_TOKEN\\", which no secrets provider has/,
    )
    const failed = await runAgentNode({}, 'throw')
    expect(failed.outcome.error).toBeDefined()
    expect(String((failed.outcome.error as Error).message)).toContain('secret "API_TOKEN"')
    expect(safeJson(failed.record)).toContain('invalid-config')
    expect(received).toEqual([])
  })

  it('gives an agent run from a step of your own the engine secrets through the step context', async () => {
    received.length = 0
    const model = callsTool('whoami', { method: 'GET', path: '/whoami' })
    const agent = defineAgent({
      id: 'agent-in-step',
      instructions: 'x',
      model,
      tools: { whoami: connectorTool(api, 'request', { config: config() }) },
    })
    const ask = createStep({
      id: 'ask',
      input: z.object({ question: z.string() }),
      output: z.string(),
      run: async (context) => {
        expect(context.secrets).toBeDefined()
        return (await agent.generate(context.input.question, { context })).output
      },
    })
    const workflow = createWorkflow({ id: 'ask-flow', input: z.object({ question: z.string() }) })
      .then(ask)
      .commit()
    const writes: string[] = []
    const engine = createEngine({
      secrets: mapSecrets({ API_TOKEN: token }),
      store: recordingStore(writes),
    })
    try {
      const run = await engine.start(workflow, { question: 'who?' })
      expect(await run.result()).toBe('done')
    } finally {
      await engine.close()
    }
    expect(received).toEqual([{ path: '/whoami', authorization: `Bearer ${token}` }])
    expect(writes.join('\n')).toContain('Bearer [secret:API_TOKEN]')
    expect(writes.join('\n')).not.toContain(token)
  })
})
