import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  ConflictError,
  InvalidArgumentError,
  NotFoundError,
  createRegistry,
  createStep,
  createWorkflow,
  defineAgentSpec,
  defineConnector,
  toJsonSchema,
} from '../index'
import { thrownBy } from '../../test/helpers'
import { num } from '../../test/fixtures'

const inc = createStep({
  id: 'inc',
  description: 'adds one',
  input: num,
  output: num,
  run: ({ input }) => ({ n: input.n + 1 }),
})
const child = createWorkflow({ id: 'child', input: num }).then(inc).commit()
const parent = createWorkflow({ id: 'parent', description: 'the parent', input: num, output: num })
  .then(child)
  .map(({ input }) => input)
  .commit()

describe('registry collections', () => {
  it('get, has, list, size and require', () => {
    const registry = createRegistry()
    registry.addStep(inc)
    expect(registry.steps.get('inc')).toBe(inc)
    expect(registry.steps.has('inc')).toBe(true)
    expect(registry.steps.has('dec')).toBe(false)
    expect(registry.steps.list()).toEqual([inc])
    expect(registry.steps.size).toBe(1)
    expect(registry.steps.require('inc')).toBe(inc)
    const error = thrownBy(() => registry.steps.require('dec'))
    expect(NotFoundError.isInstance(error)).toBe(true)
    expect(error.message).toBe('No step with id "dec"; known: "inc"')
    expect(thrownBy(() => registry.agents.require('x')).message).toBe('No agent with id "x"')
  })

  it('registering the same object twice is fine; another one with the same id conflicts', () => {
    const registry = createRegistry()
    registry.addStep(inc)
    registry.addStep(inc)
    const impostor = createStep({ id: 'inc', input: num, output: num, run: ({ input }) => input })
    const error = thrownBy(() => registry.addStep(impostor))
    expect(ConflictError.isInstance(error)).toBe(true)
    expect(error.message).toBe('Another step with the id "inc" is already registered')
    expect(registry.steps.get('inc')).toBe(inc)
  })

  it('a workflow brings its steps, child workflows and inline functions', () => {
    const registry = createRegistry()
    registry.addWorkflow(parent)
    expect(registry.steps.get('inc')).toBe(inc)
    expect(registry.workflows.get('child')).toBe(child)
    expect(registry.workflows.get('parent')).toBe(parent)
    expect(registry.functions.has('parent/map-1')).toBe(true)
    expect(registry.workflowVersion('parent', parent.version)).toBe(parent)
    expect(registry.workflowVersion('parent', 'other')).toBeUndefined()
    expect(
      registry
        .definitions()
        .map((definition) => definition.id)
        .sort(),
    ).toEqual(['child', 'parent'])
  })

  it('keeps every version of a workflow; the latest is the one by id', () => {
    const registry = createRegistry()
    const v1 = createWorkflow({ id: 'evolving', input: num }).then(inc).commit()
    const v2 = createWorkflow({ id: 'evolving', input: num }).then(inc).then(inc).commit()
    registry.addWorkflow(v1)
    registry.addWorkflow(v2)
    expect(registry.workflows.get('evolving')).toBe(v2)
    expect(registry.workflowVersion('evolving', v1.version)).toBe(v1)
    expect(registry.definitions()).toHaveLength(2)
  })
})

describe('registry.describe()', () => {
  it('describes steps, workflows, agents, connectors, functions and plugins with JSON Schemas', () => {
    const registry = createRegistry()
    const defaults = createStep({
      id: 'defaults',
      input: z.object({ retries: z.number().default(3) }),
      output: z.object({ retries: z.number().default(3) }),
      run: ({ input }) => input,
    })
    const triage = defineAgentSpec({
      id: 'triage',
      description: 'sorts tickets',
      input: z.object({ ticket: z.string() }),
      output: z.enum(['bug', 'question']),
      run: async () => 'bug' as const,
    })
    const slack = defineConnector({
      id: 'slack',
      name: 'Slack',
      config: z.object({ token: z.string() }),
      actions: {
        post: {
          description: 'posts a message',
          input: z.object({ channel: z.string(), text: z.string() }),
          output: z.object({ ts: z.string() }),
          run: async () => ({ ts: '1' }),
        },
      },
    })
    registry.addWorkflow(parent)
    registry.addStep(defaults)
    registry.addAgent(triage)
    registry.addConnector(slack)
    const description = registry.describe()
    // plain JSON: survives a round trip unchanged
    expect(JSON.parse(JSON.stringify(description))).toEqual(description)

    expect(description.steps.find((step) => step.id === 'inc')).toEqual({
      id: 'inc',
      description: 'adds one',
      input: toJsonSchema(num, 'input'),
      output: toJsonSchema(num, 'output'),
    })
    expect(description.steps.find((step) => step.id === 'inc')!.input).toMatchObject({
      type: 'object',
      properties: { n: { type: 'number' } },
      required: ['n'],
    })
    // input schemas describe what callers may send, output schemas what steps produce
    const described = description.steps.find((step) => step.id === 'defaults')!
    expect(described.input.required ?? []).not.toContain('retries')
    expect(described.output.required).toContain('retries')

    expect(description.workflows.find((workflow) => workflow.id === 'parent')).toEqual({
      id: 'parent',
      version: parent.version,
      description: 'the parent',
      input: parent.definition.inputSchema,
      output: parent.definition.outputSchema,
    })
    expect(description.workflows.find((workflow) => workflow.id === 'child')).not.toHaveProperty(
      'output',
    )

    expect(description.agents).toEqual([
      {
        id: 'triage',
        description: 'sorts tickets',
        input: expect.objectContaining({ type: 'object', required: ['ticket'] }),
        output: expect.objectContaining({ type: 'string', enum: ['bug', 'question'] }),
      },
    ])
    expect(description.connectors).toEqual([
      {
        id: 'slack',
        name: 'Slack',
        config: expect.objectContaining({ properties: { token: { type: 'string' } } }),
        actions: [
          {
            name: 'post',
            description: 'posts a message',
            input: expect.objectContaining({ required: ['channel', 'text'] }),
            output: expect.objectContaining({ required: ['ts'] }),
          },
        ],
      },
    ])
    expect(description.functions).toEqual(['parent/map-1'])
    expect(description.plugins).toEqual([])
  })

  it('a schema JSON Schema cannot express becomes {} instead of failing', () => {
    const odd = createStep({
      id: 'odd',
      input: z.object({ when: z.date() }),
      output: z.string().transform((value) => value.length),
      run: () => 'x',
    })
    const registry = createRegistry()
    registry.addStep(odd)
    const [step] = registry.describe().steps
    expect(step!.input).toMatchObject({ type: 'object', properties: { when: {} } })
    expect(step!.output).toEqual({ $schema: 'https://json-schema.org/draft/2020-12/schema' })
  })
})

describe('defineConnector and defineAgentSpec', () => {
  it('build frozen v1 components with defaults', () => {
    const connector = defineConnector({
      id: 'http',
      config: z.object({ baseUrl: z.string() }),
      actions: {
        get: { input: z.object({ path: z.string() }), output: z.number(), run: async () => 200 },
      },
    })
    expect(connector).toMatchObject({
      specificationVersion: 'v1',
      kind: 'connector',
      id: 'http',
      name: 'http',
    })
    expect(Object.isFrozen(connector)).toBe(true)
    const agent = defineAgentSpec({
      id: 'echo',
      input: z.string(),
      output: z.string(),
      run: async ({ input }) => input,
    })
    expect(agent).toMatchObject({
      specificationVersion: 'v1',
      kind: 'agent',
      id: 'echo',
      description: undefined,
    })
  })

  it('reject bad definitions with InvalidArgumentError naming the argument', () => {
    const cases: [() => unknown, string][] = [
      [
        () => defineConnector({ id: 'bad id', config: z.object({}), actions: {} }),
        'defineConnector: "id" must be',
      ],
      [
        () => defineConnector({ id: 'c', config: {} as any, actions: {} }),
        'defineConnector: "config" must be a zod schema',
      ],
      [
        () => defineConnector({ id: 'c', config: z.object({}), actions: {} }),
        '"actions" must be a non-empty record of actions, received an object',
      ],
      [
        () =>
          defineConnector({
            id: 'c',
            config: z.object({}),
            actions: { go: { input: z.string(), output: z.string() } as any },
          }),
        '"actions.go.run" must be a function, received undefined',
      ],
      [
        () =>
          defineAgentSpec({ id: 'a', input: z.string(), output: 5 as any, run: async () => '' }),
        'defineAgentSpec: "output" must be a zod schema, received 5',
      ],
      [
        () => defineAgentSpec({ id: 'a', input: z.string(), output: z.string(), run: 'x' as any }),
        'defineAgentSpec: "run" must be a function, received "x"',
      ],
    ]
    for (const [fn, message] of cases) {
      const error = thrownBy(fn)
      expect(error).toBeInstanceOf(InvalidArgumentError)
      expect(error.message).toContain(message)
    }
  })
})
