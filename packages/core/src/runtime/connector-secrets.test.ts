import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  ConnectorConfigError,
  ConnectorError,
  createWorkflow,
  defineConnector,
  envSecrets,
  mapSecrets,
  secretRef,
  type Logger,
  type SecretsProviderV1,
} from '../index'
import { recordEvents, rejectionOf, useEngines } from '../../test/helpers'

const seen: { config: unknown; idempotencyKey: string }[] = []
const checks: unknown[] = []

const vault = defineConnector({
  id: 'vaulted',
  name: 'Vaulted',
  config: z
    .object({
      token: secretRef({ description: 'API token' }),
      nested: z.object({ password: secretRef() }).strict().optional(),
      host: z.string().default('local'),
    })
    .strict(),
  actions: {
    call: {
      input: z.unknown(),
      output: z.object({ ok: z.boolean() }),
      run: async ({ config, input, idempotencyKey, logger }) => {
        seen.push({ config, idempotencyKey })
        const mode = (input as { mode?: string } | undefined)?.mode
        if (mode === 'log') {
          logger.info(`calling with ${config.token}`, { header: `Bearer ${config.token}` })
          logger.child({ token: config.token }).warn('child line')
        }
        if (mode === 'echo') {
          const cause = new Error(`socket said ${config.token}`)
          const error = new ConnectorError({
            connector: 'vaulted',
            action: 'call',
            reason: 'unauthorized',
            message: `token ${config.token} rejected`,
            cause,
          })
          ;(error as unknown as { request: unknown }).request = {
            headers: { authorization: `Bearer ${config.token}` },
          }
          throw error
        }
        return { ok: true }
      },
    },
  },
  check: async ({ config }) => {
    checks.push(config)
    if (config.host === 'down')
      throw new ConnectorError({
        connector: 'vaulted',
        action: 'check',
        reason: 'network',
        message: 'connect ECONNREFUSED',
      })
    if (config.token === 'wrong')
      throw new ConnectorError({
        connector: 'vaulted',
        action: 'check',
        reason: 'unauthorized',
        message: `token ${config.token} rejected`,
      })
  },
})

const workflowWith = (id: string, config: z.input<typeof vault.config>) =>
  createWorkflow({ id, input: z.object({ mode: z.enum(['ok', 'echo', 'log']) }) })
    .action(vault, 'call', config)
    .commit()

const capture = (): Logger & { lines: string[] } => {
  const lines: string[] = []
  const make = (bindings: Record<string, unknown>): Logger => {
    const write = (message: string, fields?: Record<string, unknown>) =>
      lines.push(JSON.stringify({ message, ...bindings, ...fields }))
    return {
      debug: write,
      info: write,
      warn: write,
      error: write,
      child: (more) => make({ ...bindings, ...more }),
    }
  }
  return Object.assign(make({}), { lines })
}

const newEngine = useEngines()

describe('secret references in action configs', () => {
  it('are resolved right before the action runs; the definition keeps the name only', async () => {
    seen.length = 0
    const workflow = workflowWith('secrets-resolved', {
      token: { $secret: 'API_TOKEN' },
      nested: { password: { $secret: 'DB_PASSWORD' } },
    })
    expect(JSON.stringify(workflow.definition)).not.toContain('s3cr3t-token')
    const engine = newEngine({
      secrets: [
        mapSecrets({ API_TOKEN: 's3cr3t-token' }),
        mapSecrets({ API_TOKEN: 'second', DB_PASSWORD: 'pw-1234' }),
      ],
    })
    const run = await engine.start(workflow, { mode: 'ok' })
    expect(await run.result()).toEqual({ ok: true })
    expect(seen).toEqual([
      {
        config: { token: 's3cr3t-token', nested: { password: 'pw-1234' }, host: 'local' },
        idempotencyKey: `${run.id}:vaulted.call`,
      },
    ])
  })

  it('a config without references is passed as parsed, and no provider is asked', async () => {
    let asked = 0
    const counting: SecretsProviderV1 = {
      specificationVersion: 'v1',
      provider: 'counting',
      get: async () => {
        asked++
        return 'x'
      },
    }
    const plain = defineConnector({
      id: 'plain',
      config: z.object({ host: z.string() }).strict(),
      actions: {
        echo: {
          input: z.unknown(),
          output: z.unknown(),
          run: async ({ config }) => config,
        },
      },
    })
    const workflow = createWorkflow({ id: 'no-secrets', input: z.unknown() })
      .action(plain, 'echo', { host: 'h' })
      .commit()
    const engine = newEngine({ secrets: counting })
    const run = await engine.start(workflow, {})
    expect(await run.result()).toEqual({ host: 'h' })
    expect(asked).toBe(0)
  })

  it('a missing secret refuses the start with ConnectorConfigError, before any run exists', async () => {
    const workflow = workflowWith('secrets-missing', {
      token: { $secret: 'NOT_THERE' },
      nested: { password: { $secret: 'ALSO_MISSING' } },
    })
    const engine = newEngine({ secrets: mapSecrets({}) })
    const error = await rejectionOf(engine.start(workflow, { mode: 'ok' }))
    expect(ConnectorConfigError.isInstance(error)).toBe(true)
    expect(error.code).toBe('connector_config_invalid')
    expect(error.issues).toEqual([
      expect.objectContaining({
        node: 'vaulted.call',
        connector: 'vaulted',
        path: 'config.token',
        reason: 'missing-secret',
        secret: 'NOT_THERE',
      }),
      expect.objectContaining({ path: 'config.nested.password', secret: 'ALSO_MISSING' }),
    ])
    expect((await engine.listRuns()).runs).toEqual([])
    // No provider at all says so.
    const bare = newEngine()
    const bareError = await rejectionOf(bare.start(workflow, { mode: 'ok' }))
    expect(bareError.issues[0].message).toContain('no secrets provider')
  })

  it('a secret gone after the start check fails the step: invalid-config, not retried, naming node, path and name', async () => {
    const table = new Map([['API_TOKEN', 'token-value-1']])
    const workflow = workflowWith('secrets-vanish', { token: { $secret: 'API_TOKEN' } })
    const engine = newEngine({
      secrets: mapSecrets(table),
      defaults: { retry: { attempts: 3, backoff: 'fixed', delay: 0 } as never },
    })
    engine.register(workflow)
    await engine.preflight(workflow)
    table.delete('API_TOKEN')
    const run = await engine.start(workflow, { mode: 'ok' })
    const error = await rejectionOf(run.result())
    const history = await engine.store.getRunHistory(run.id)
    const step = history!.steps.find((entry) => entry.nodeId === 'vaulted.call')!
    expect(step.attempts).toBe(1)
    expect(step.error).toMatchObject({
      code: 'connector_error',
      retryable: false,
      details: { reason: 'invalid-config' },
    })
    expect(step.error!.message).toContain(
      'node "vaulted.call": config.token refers to secret "API_TOKEN"',
    )
    expect(error.code).toBe('step_failed')
  })

  it('secret values echoed by an action never reach the store, the events or the logs', async () => {
    const secret = 'xoxb-echoed-value-42'
    const logger = capture()
    const engine = newEngine({ secrets: mapSecrets({ API_TOKEN: secret }), logger })
    const workflow = workflowWith('secrets-redacted', { token: { $secret: 'API_TOKEN' } })
    const logged = await engine.start(workflow, { mode: 'log' })
    await logged.result()
    const run = await engine.start(workflow, { mode: 'echo' })
    const events = recordEvents(run)
    const error = await rejectionOf(run.result())
    const history = await engine.store.getRunHistory(run.id)
    const everything = JSON.stringify({
      history,
      loggedHistory: await engine.store.getRunHistory(logged.id),
      events,
      error: error.toJSON(),
      stack: error.cause?.stack,
      causeStack: error.cause?.cause?.stack,
      request: error.cause?.request,
      lines: logger.lines,
    })
    expect(everything).not.toContain(secret)
    expect(everything).toContain('[secret:API_TOKEN]')
    expect(logger.lines.join('\n')).toContain('calling with [secret:API_TOKEN]')
    expect(history!.run.error!.cause!.message).toBe(
      'vaulted.call: token [secret:API_TOKEN] rejected',
    )
    expect(error.cause.cause.message).toBe('socket said [secret:API_TOKEN]')
  })
})

describe('a failing secrets provider', () => {
  it('refuses the start with secrets-unavailable, carrying the provider message, no run', async () => {
    const broken: SecretsProviderV1 = {
      specificationVersion: 'v1',
      provider: 'broken',
      get: async () => {
        throw new Error('vault unreachable')
      },
    }
    const engine = newEngine({ secrets: broken })
    const workflow = workflowWith('secrets-provider-down', { token: { $secret: 'API_TOKEN' } })
    const error = await rejectionOf(engine.start(workflow, { mode: 'ok' }))
    expect(ConnectorConfigError.isInstance(error)).toBe(true)
    expect(error.issues).toEqual([
      expect.objectContaining({
        reason: 'secrets-unavailable',
        secret: 'API_TOKEN',
        message: 'secret "API_TOKEN" could not be read: vault unreachable',
      }),
    ])
    expect((await engine.listRuns()).runs).toEqual([])
    // Fail closed: the next provider is not asked when one fails.
    const chained = newEngine({ secrets: [broken, mapSecrets({ API_TOKEN: 'fallback-value' })] })
    const chainedError = await rejectionOf(chained.start(workflow, { mode: 'ok' }))
    expect(chainedError.issues[0].reason).toBe('secrets-unavailable')
  })
})

describe('engine.preflight', () => {
  it('resolves secrets and, with connect, checks once per distinct connector and config', async () => {
    checks.length = 0
    const workflow = createWorkflow({
      id: 'preflight-ok',
      input: z.object({ mode: z.enum(['ok', 'echo', 'log']) }),
    })
      .action(vault, 'call', { token: { $secret: 'API_TOKEN' } }, { id: 'first' })
      .action(vault, 'call', { token: { $secret: 'API_TOKEN' } }, { id: 'second' })
      .action(vault, 'call', { token: { $secret: 'API_TOKEN' }, host: 'other' }, { id: 'third' })
      .commit()
    const engine = newEngine({ secrets: mapSecrets({ API_TOKEN: 'good-token' }) })
    expect(await engine.preflight(workflow)).toEqual({ ok: true, checked: 3, connected: 0 })
    // Checking did not register it.
    expect(engine.registry.workflows.has('preflight-ok')).toBe(false)
    engine.register(workflow)
    expect(await engine.preflight(workflow)).toEqual({ ok: true, checked: 3, connected: 0 })
    expect(checks).toEqual([])
    expect(await engine.preflight('preflight-ok', { connect: true })).toEqual({
      ok: true,
      checked: 3,
      connected: 2,
    })
    expect(checks).toEqual([
      { token: 'good-token', host: 'local' },
      { token: 'good-token', host: 'other' },
    ])
  })

  it('collects every problem into one ConnectorConfigError, values redacted', async () => {
    const workflow = createWorkflow({ id: 'preflight-bad', input: z.unknown() })
      .action(vault, 'call', { token: { $secret: 'WRONG' } }, { id: 'rejected' })
      .action(
        vault,
        'call',
        { token: { $secret: 'API_TOKEN' }, host: 'down' },
        { id: 'unreachable' },
      )
      .action(vault, 'call', { token: { $secret: 'MISSING' } }, { id: 'missing' })
      .commit()
    const engine = newEngine({
      secrets: envSecrets({
        env: { TESSERA_SECRET_API_TOKEN: 'fine-token', TESSERA_SECRET_WRONG: 'wrong' },
      }),
    })
    const error = await rejectionOf(engine.preflight(workflow, { connect: true }))
    expect(ConnectorConfigError.isInstance(error)).toBe(true)
    expect(error.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ node: 'missing', reason: 'missing-secret', secret: 'MISSING' }),
        expect.objectContaining({ node: 'unreachable', reason: 'unreachable', path: 'config' }),
        expect.objectContaining({ node: 'rejected', reason: 'unauthorized' }),
      ]),
    )
    expect(error.issues).toHaveLength(3)
    const rejected = error.issues.find((issue: { node: string }) => issue.node === 'rejected')
    expect(rejected.message).toContain('[secret:WRONG]')
    expect(JSON.stringify(error.toJSON())).not.toContain('fine-token')
  })
})

describe('envSecrets', () => {
  it('reads only prefixed variables, so a definition cannot read DATABASE_URL', async () => {
    const env = {
      TESSERA_SECRET_SLACK_TOKEN: 'a',
      DATABASE_URL: 'postgres://x',
      TESSERA_SECRET_SLACK_BOT_TOKEN: 'b',
    }
    const secrets = envSecrets({ env })
    expect(await secrets.get('SLACK_TOKEN')).toBe('a')
    expect(await secrets.get('DATABASE_URL')).toBeUndefined()
    expect(await secrets.get('slack/bot-token')).toBe('b')
    expect(await envSecrets({ env, prefix: '' }).get('DATABASE_URL')).toBe('postgres://x')
  })
})
