import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  DefinitionError,
  ValidationError,
  createStep,
  createWorkflow,
  defineConnector,
  workflowFromDefinition,
} from '../index'
import { useEngines } from '../../test/helpers'

const calls: { config: unknown; input: unknown; idempotencyKey: string }[] = []
let failuresLeft = 0

const mailer = defineConnector({
  id: 'mailer',
  config: z.object({ from: z.string().email(), prefix: z.string().default('') }),
  actions: {
    send: {
      description: 'Sends a message',
      input: z.object({ to: z.string(), text: z.string() }),
      output: z.object({ id: z.string() }),
      run: async ({ config, input, idempotencyKey }) => {
        calls.push({ config, input, idempotencyKey })
        if (failuresLeft > 0) {
          failuresLeft--
          throw new Error('mail server busy')
        }
        return { id: `${config.prefix}${input.to}` }
      },
    },
    broken: {
      input: z.unknown(),
      output: z.object({ id: z.string() }),
      run: async () => ({ id: 42 }) as never,
    },
  },
})

const toMessage = createStep({
  id: 'to-message',
  input: z.object({ customer: z.string() }),
  output: z.object({ to: z.string(), text: z.string() }),
  run: ({ input }) => ({ to: input.customer, text: 'hello' }),
})

const newEngine = useEngines()

describe('action nodes', () => {
  it('run the connector action with the parsed config, the previous output as input', async () => {
    calls.length = 0
    const workflow = createWorkflow({ id: 'notify', input: z.object({ customer: z.string() }) })
      .then(toMessage)
      .action(mailer, 'send', { from: 'shop@example.com', prefix: 'm-' })
      .commit()
    expect(workflow.definition.root).toMatchObject({
      children: [
        { type: 'step', id: 'to-message' },
        {
          type: 'action',
          id: 'mailer.send',
          connector: 'mailer',
          action: 'send',
          config: { from: 'shop@example.com', prefix: 'm-' },
        },
      ],
    })
    const engine = newEngine()
    const run = await engine.start(workflow, { customer: 'ada' })
    expect(await run.result()).toEqual({ id: 'm-ada' })
    expect(calls).toEqual([
      {
        config: { from: 'shop@example.com', prefix: 'm-' },
        input: { to: 'ada', text: 'hello' },
        idempotencyKey: `${run.id}:mailer.send`,
      },
    ])
    // The workflow brought its connector into the engine's registry.
    expect(engine.registry.connectors.get('mailer')).toBe(mailer)
  })

  it('applies config defaults of the connector schema and retries like a step', async () => {
    calls.length = 0
    failuresLeft = 1
    const workflow = createWorkflow({
      id: 'notify-retry',
      input: z.object({ customer: z.string() }),
    })
      .then(toMessage)
      .action(
        mailer,
        'send',
        { from: 'shop@example.com' },
        { id: 'mail', retry: { attempts: 2, backoff: { initial: '1ms', jitter: false } } },
      )
      .commit()
    const run = await newEngine().start(workflow, { customer: 'bo' })
    expect(await run.result()).toEqual({ id: 'bo' })
    expect(calls.map((call) => call.config)).toEqual([
      { from: 'shop@example.com', prefix: '' },
      { from: 'shop@example.com', prefix: '' },
    ])
  })

  it('fails the run with a ValidationError when the input or the output does not fit', async () => {
    const badInput = createWorkflow({ id: 'bad-input', input: z.object({ to: z.number() }) })
      // @ts-expect-error: the previous output ({ to: number }) is not the action's input
      .action(mailer, 'send', { from: 'shop@example.com' })
      .commit()
    const engine = newEngine()
    const first = await engine.start(badInput, { to: 1 })
    const inputError = await first.result().catch((error: unknown) => error)
    expect(ValidationError.isInstance(inputError)).toBe(true)
    expect(inputError).toMatchObject({ stepId: 'mailer.send', target: 'input' })
    const badOutput = createWorkflow({ id: 'bad-output', input: z.object({}) })
      .action(mailer, 'broken', { from: 'shop@example.com' })
      .commit()
    const second = await engine.start(badOutput, {})
    const outputError = await second.result().catch((error: unknown) => error)
    expect(ValidationError.isInstance(outputError)).toBe(true)
    expect(outputError).toMatchObject({ stepId: 'mailer.broken', target: 'output' })
  })

  it('refuses a definition whose config the connector refuses, with the path into the config', async () => {
    const engine = newEngine()
    engine.register(mailer)
    const definition = {
      ...createWorkflow({ id: 'from-json', input: z.object({ to: z.string(), text: z.string() }) })
        .action(mailer, 'send', { from: 'shop@example.com' })
        .commit().definition,
    }
    const bad = structuredClone(definition)
    ;(bad.root as { children: { config?: unknown }[] }).children[0]!.config = { from: 'nope' }
    const workflow = workflowFromDefinition(bad, { registry: engine.registry })
    const error = await engine
      .start(workflow, { to: 'x', text: 'y' })
      .catch((thrown: unknown) => thrown)
    expect(DefinitionError.isInstance(error)).toBe(true)
    expect((error as DefinitionError).issues).toEqual([
      expect.objectContaining({ path: 'root.children[0].config.from' }),
    ])
    // The definition as the builder wrote it runs from JSON with the registered connector.
    const good = workflowFromDefinition(definition, { registry: engine.registry })
    const run = await engine.start(good, { to: 'cy', text: 'hi' })
    expect(await run.result()).toEqual({ id: 'cy' })
  })

  it('the builder refuses an unknown action and a config the connector refuses', () => {
    const start = createWorkflow({ id: 'w', input: z.object({ to: z.string(), text: z.string() }) })
    expect(() => start.action(mailer, 'fax' as never, { from: 'a@b.co' })).toThrow(/send, broken/)
    expect(() => start.action(mailer, 'send', { from: 'not-an-address' })).toThrow(/from/)
  })
})
