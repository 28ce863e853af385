import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  ConflictError,
  InvalidArgumentError,
  createEngine,
  createStep,
  createWorkflow,
  defineAgentSpec,
  defineConnector,
  definePlugin,
} from '../index'
import { thrownBy, useEngines } from '../../test/helpers'
import { inc, num } from '../../test/fixtures'

const dec = createStep({
  id: 'dec',
  input: num,
  output: num,
  run: ({ input }) => ({ n: input.n - 1 }),
})
const bump = createWorkflow({ id: 'bump', input: num }).then(inc).then(inc).commit()
const echo = defineAgentSpec({
  id: 'echo',
  input: z.string(),
  output: z.string(),
  run: async ({ input }) => input,
})
const http = defineConnector({
  id: 'http',
  config: z.object({ url: z.string() }),
  actions: { get: { input: z.object({}), output: z.number(), run: async () => 200 } },
})

const newEngine = useEngines()

describe('definePlugin', () => {
  it('bundles components, frozen, with empty defaults', () => {
    const plugin = definePlugin({
      name: 'math',
      version: '1.2.0',
      steps: [inc, dec],
      workflows: [bump],
    })
    expect(plugin).toMatchObject({
      kind: 'plugin',
      name: 'math',
      version: '1.2.0',
      steps: [inc, dec],
      workflows: [bump],
    })
    expect(plugin.agents).toEqual([])
    expect(plugin.connectors).toEqual([])
    expect(plugin.functions).toEqual({})
    expect(Object.isFrozen(plugin)).toBe(true)
  })

  it('rejects duplicates within the plugin with ConflictError', () => {
    const steps = thrownBy(() => definePlugin({ name: 'dup', steps: [inc, dec, inc] }))
    expect(ConflictError.isInstance(steps)).toBe(true)
    expect(steps.message).toBe('Plugin "dup" lists the step "inc" twice')
    const other = createStep({ id: 'inc', input: num, output: num, run: ({ input }) => input })
    expect(thrownBy(() => definePlugin({ name: 'dup', steps: [inc, other] })).message).toBe(
      'Plugin "dup" lists the step "inc" twice',
    )
    expect(thrownBy(() => definePlugin({ name: 'dup', workflows: [bump, bump] })).message).toBe(
      'Plugin "dup" lists the workflow "bump" twice',
    )
    expect(thrownBy(() => definePlugin({ name: 'dup', agents: [echo, echo] })).message).toBe(
      'Plugin "dup" lists the agent "echo" twice',
    )
    expect(thrownBy(() => definePlugin({ name: 'dup', connectors: [http, http] })).message).toBe(
      'Plugin "dup" lists the connector "http" twice',
    )
  })

  it('rejects malformed options with InvalidArgumentError', () => {
    const cases: [() => unknown, string][] = [
      [
        () => definePlugin({} as any),
        'definePlugin: "name" must be a non-empty string, received undefined',
      ],
      [
        () => definePlugin({ name: '' }),
        'definePlugin: "name" must be a non-empty string, received ""',
      ],
      [
        () => definePlugin({ name: 'p', steps: inc as any }),
        'definePlugin: "steps" must be an array, received an object',
      ],
      [
        () => definePlugin({ name: 'p', steps: [bump as any] }),
        'definePlugin: "steps[0]" must be a step, received an object',
      ],
      [
        () => definePlugin({ name: 'p', agents: [null as any] }),
        'definePlugin: "agents[0]" must be an agent, received null',
      ],
      [
        () => definePlugin({ name: 'p', functions: { f: 1 as any } }),
        'definePlugin: "functions.f" must be a function, received 1',
      ],
    ]
    for (const [fn, message] of cases) {
      const error = thrownBy(fn)
      expect(error).toBeInstanceOf(InvalidArgumentError)
      expect(error.message).toBe(message)
    }
  })
})

describe('plugins in an engine', () => {
  it('registers everything a plugin bundles and runs its workflows by id', async () => {
    const plugin = definePlugin({
      name: 'math',
      version: '1.0.0',
      steps: [dec],
      workflows: [bump],
      agents: [echo],
      connectors: [http],
      functions: { 'math/is-even': ({ input }: { input: { n: number } }) => input.n % 2 === 0 },
    })
    const engine = newEngine({ plugins: [plugin] })
    expect(
      engine.registry.steps
        .list()
        .map((step) => step.id)
        .sort(),
    ).toEqual(['dec', 'inc'])
    expect(engine.registry.agents.get('echo')).toBe(echo)
    expect(engine.registry.connectors.get('http')).toBe(http)
    expect(engine.registry.functions.has('math/is-even')).toBe(true)
    expect(engine.registry.plugins).toEqual([plugin])
    expect(engine.registry.describe().plugins).toEqual([{ name: 'math', version: '1.0.0' }])
    const run = await engine.start('bump', { n: 1 })
    expect(await run.result()).toEqual({ n: 3 })
  })

  it('a second plugin with the same name conflicts', () => {
    const engine = newEngine({ plugins: [definePlugin({ name: 'math', steps: [inc] })] })
    const error = thrownBy(() => engine.register(definePlugin({ name: 'math', steps: [dec] })))
    expect(ConflictError.isInstance(error)).toBe(true)
    expect(error.message).toBe('A plugin named "math" is already registered')
  })

  it('a plugin whose step id is taken by another step conflicts', () => {
    const impostor = createStep({ id: 'inc', input: num, output: num, run: ({ input }) => input })
    const error = thrownBy(() =>
      createEngine({
        plugins: [
          definePlugin({ name: 'a', steps: [inc] }),
          definePlugin({ name: 'b', steps: [impostor] }),
        ],
      }),
    )
    expect(ConflictError.isInstance(error)).toBe(true)
    expect(error.message).toBe('Another step with the id "inc" is already registered')
  })

  it('two plugins may share the very same step object', () => {
    const engine = newEngine({
      plugins: [
        definePlugin({ name: 'a', steps: [inc] }),
        definePlugin({ name: 'b', steps: [inc], workflows: [bump] }),
      ],
    })
    expect(engine.registry.steps.size).toBe(1)
  })

  it('engine.register accepts steps, agents and connectors directly', () => {
    const engine = newEngine()
    engine.register(inc, echo, http, bump)
    expect(engine.registry.steps.has('inc')).toBe(true)
    expect(engine.registry.agents.has('echo')).toBe(true)
    expect(engine.registry.connectors.has('http')).toBe(true)
    expect(engine.registry.workflows.has('bump')).toBe(true)
  })
})
