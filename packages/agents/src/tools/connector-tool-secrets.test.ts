import {
  ConnectorError,
  defineConnector,
  mapSecrets,
  secretRef,
  type LogFields,
  type Logger,
  type SecretsProviderV1,
} from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineAgent } from '../agent/define-agent'
import { agentAsTool } from '../multi-agent/agent-as-tool'
import { createScriptedModel } from '../scripted-model/create-scripted-model'
import { connectorTool } from './connector-tool'
import { connectorTools, toolNameOf } from './connector-tools'

const password = 'pw-5e1d0c9b8a'

/** A connector whose action logs and echoes its credential, and fails on demand quoting it. */
function leakyConnector(seen: unknown[]) {
  return defineConnector({
    id: 'leaky',
    name: 'Leaky',
    config: z
      .object({
        user: z.string(),
        password: secretRef({ description: 'The password' }),
        hosts: z.array(z.object({ key: secretRef() })).optional(),
      })
      .strict(),
    actions: {
      'log-in': {
        title: 'Log in',
        description: 'Logs in and reports the session',
        examples: [{ input: { fail: false } }],
        input: z.object({ fail: z.boolean() }),
        output: z.object({ session: z.string() }),
        run: async ({ config, input, logger }) => {
          seen.push(config)
          logger.info(`logging in as ${config.user} with ${config.password}`, {
            password: config.password,
          })
          if (input.fail) throw new Error(`login refused for password ${config.password}`)
          return { session: `session of ${config.user}:${config.password}` }
        },
      },
      'files.list': {
        description: 'Lists files',
        input: z.object({}),
        output: z.object({ files: z.array(z.string()) }),
        run: async () => ({ files: [] }),
      },
    },
  })
}

function capture(lines: string[]): Logger {
  const make = (bindings: LogFields): Logger => {
    const log = (message: string, fields?: LogFields) =>
      lines.push(JSON.stringify({ message, ...bindings, ...fields }))
    return {
      debug: log,
      info: log,
      warn: log,
      error: log,
      child: (more) => make({ ...bindings, ...more }),
    }
  }
  return make({})
}

function agentCalling(tool: ReturnType<typeof connectorTool>, input: unknown) {
  const model = createScriptedModel([
    { content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'login', input }] },
    'ok',
  ])
  return {
    model,
    agent: defineAgent({ id: 'a', instructions: 'x', model, tools: { login: tool } }),
  }
}

describe('connectorTool secrets', () => {
  it('resolves every reference, and redacts the values from output, log lines and errors', async () => {
    const seen: unknown[] = []
    const lines: string[] = []
    const config = {
      user: 'ann',
      password: { $secret: 'DB_PASSWORD' },
      hosts: [{ key: { $secret: 'HOST_KEY' } }],
    }
    const tool = connectorTool(leakyConnector(seen), 'log-in', {
      config,
      secrets: mapSecrets({ DB_PASSWORD: password, HOST_KEY: 'hk-0123456789' }),
    })
    const { agent, model } = agentCalling(tool, { fail: false })
    const result = await agent.generate('go', { logger: capture(lines) })
    expect(seen).toEqual([{ user: 'ann', password, hosts: [{ key: 'hk-0123456789' }] }])
    // The stored config is untouched: the next call resolves again.
    expect(config.password).toEqual({ $secret: 'DB_PASSWORD' })
    expect(result.steps[0]!.toolResults[0]!.output).toEqual({
      session: 'session of ann:[secret:DB_PASSWORD]',
    })
    const logged = lines.join('\n')
    expect(logged).toContain('logging in as ann with [secret:DB_PASSWORD]')
    expect(logged).not.toContain(password)
    expect(JSON.stringify(model.calls)).not.toContain(password)

    const failing = agentCalling(tool, { fail: true })
    const failed = await failing.agent.generate('go')
    expect(failed.steps[0]!.toolResults[0]!.output).toEqual({
      error: 'login refused for password [secret:DB_PASSWORD]',
    })
    expect(JSON.stringify(failing.model.calls)).not.toContain(password)
  })

  it('asks its own providers first, then the run’s, and a provider that cannot answer fails the call', async () => {
    const seen: unknown[] = []
    const asked: string[] = []
    const provider = (name: string, table: Record<string, string>): SecretsProviderV1 => ({
      specificationVersion: 'v1',
      provider: name,
      get: async (secret) => {
        asked.push(`${name}:${secret}`)
        return table[secret]
      },
    })
    const tool = connectorTool(leakyConnector(seen), 'log-in', {
      config: { user: 'ann', password: { $secret: 'DB_PASSWORD' } },
      secrets: provider('own', {}),
    })
    const { agent } = agentCalling(tool, { fail: false })
    await agent.generate('go', { secrets: provider('run', { DB_PASSWORD: password }) })
    expect(asked).toEqual(['own:DB_PASSWORD', 'run:DB_PASSWORD'])
    expect(seen).toEqual([{ user: 'ann', password }])

    const broken: SecretsProviderV1 = {
      specificationVersion: 'v1',
      provider: 'vault',
      get: async () => {
        throw new ConnectorError({
          connector: 'vault',
          action: 'read',
          reason: 'network',
          message: 'Vault is unreachable',
        })
      },
    }
    const unreachable = agentCalling(
      connectorTool(leakyConnector(seen), 'log-in', {
        config: { user: 'ann', password: { $secret: 'DB_PASSWORD' } },
        secrets: broken,
      }),
      { fail: false },
    )
    const result = await unreachable.agent.generate('go')
    expect(result.steps[0]!.toolResults[0]).toMatchObject({
      isError: true,
      output: { error: 'vault.read: Vault is unreachable' },
    })
  })

  it('hands the run secrets to a sub-agent’s connector tools', async () => {
    const seen: unknown[] = []
    const clerk = defineAgent({
      id: 'clerk',
      description: 'Logs in for you',
      instructions: 'x',
      model: createScriptedModel([
        {
          content: [
            { type: 'tool-call', toolCallId: 's1', toolName: 'login', input: { fail: false } },
          ],
        },
        'logged in',
      ]),
      tools: {
        login: connectorTool(leakyConnector(seen), 'log-in', {
          config: { user: 'bo', password: { $secret: 'DB_PASSWORD' } },
        }),
      },
    })
    const boss = defineAgent({
      id: 'boss',
      instructions: 'x',
      model: createScriptedModel([
        {
          content: [
            { type: 'tool-call', toolCallId: 'b1', toolName: 'clerk', input: { input: 'go' } },
          ],
        },
        'done',
      ]),
      tools: { clerk: agentAsTool(clerk) },
    })
    const result = await boss.generate('go', { secrets: mapSecrets({ DB_PASSWORD: password }) })
    expect(result.output).toBe('done')
    expect(seen).toEqual([{ user: 'bo', password }])
    expect(JSON.stringify(result)).not.toContain(password)
  })

  it('refuses an inline credential without echoing it, and providers that are not providers', () => {
    const connector = leakyConnector([])
    let message = ''
    try {
      connectorTool(connector, 'log-in', { config: { user: 'ann', password: password as never } })
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toMatch(/password/)
    expect(message).not.toContain(password)
    expect(() =>
      connectorTool(connector, 'log-in', {
        config: { user: 'ann', password: { $secret: 'P' } },
        secrets: { get: 'nope' } as never,
      }),
    ).toThrow(/secrets provider/)
  })
})

describe('connectorTools', () => {
  it('makes one tool per action, with vendor-safe names and the action title in the description', () => {
    const tools = connectorTools(leakyConnector([]), {
      config: { user: 'ann', password: { $secret: 'P' } },
      needsApproval: (action) => action === 'log-in',
    })
    expect(Object.keys(tools)).toEqual(['leaky_log-in', 'leaky_files_list'])
    expect(tools['leaky_log-in']!.description).toBe('Log in: Logs in and reports the session')
    expect(tools['leaky_files_list']!.description).toBe('Lists files')
    expect(typeof tools['leaky_log-in']!.needsApproval).toBe('function')
    const approval = tools['leaky_log-in']!.needsApproval as (input: unknown) => boolean
    expect(approval({ fail: false })).toBe(true)
    expect((tools['leaky_files_list']!.needsApproval as (input: unknown) => boolean)({})).toBe(
      false,
    )
  })

  it('selects actions, takes a prefix, and refuses an unknown action', () => {
    const connector = leakyConnector([])
    const config = { user: 'ann', password: { $secret: 'P' } }
    expect(
      Object.keys(connectorTools(connector, { config, actions: ['files.list'], prefix: '' })),
    ).toEqual(['files_list'])
    expect(() => connectorTools(connector, { config, actions: ['drop-all'] })).toThrow(
      /action names of connector "leaky": "log-in", "files.list"/,
    )
  })

  it('names tools as vendors accept them', () => {
    expect(toolNameOf('slack', 'send-message')).toBe('slack_send-message')
    expect(toolNameOf('', '2fa.verify')).toBe('_2fa_verify')
    expect(toolNameOf('my api', 'get /users/{id}')).toBe('my_api_get__users__id_')
    const long = toolNameOf('x'.repeat(40), 'y'.repeat(40))
    expect(long).toHaveLength(64)
    for (const name of [long, toolNameOf('ü', 'ñ')]) expect(name).toMatch(/^[A-Za-z_][\w-]{0,63}$/)
  })

  it('keeps two names apart when sanitising makes them equal', () => {
    const connector = defineConnector({
      id: 'twins',
      name: 'Twins',
      config: z.object({}).strict(),
      actions: {
        'a.b': { description: 'one', input: z.object({}), output: z.unknown(), run: async () => 1 },
        a_b: { description: 'two', input: z.object({}), output: z.unknown(), run: async () => 2 },
      },
    })
    expect(Object.keys(connectorTools(connector, { config: {} }))).toEqual([
      'twins_a_b',
      'twins_a_b_2',
    ])
  })
})
