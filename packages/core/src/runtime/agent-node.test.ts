import { describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import {
  DefinitionError,
  ValidationError,
  createRegistry,
  createStep,
  createWorkflow,
  workflowFromDefinition,
  type AgentV1,
} from '../index'
import { validateDefinition } from '../definition/validate-definition'
import { useEngines } from '../../test/helpers'

const modelCalls: string[] = []
let failuresLeft = 0

// A hand-written agent: its "model call" is recorded with the step's durable(), then it may fail.
const summarizer: AgentV1<{ text: string }, { summary: string }> = {
  specificationVersion: 'v1',
  kind: 'agent',
  id: 'summarizer',
  description: 'Summarizes a text',
  input: z.object({ text: z.string() }),
  output: z.object({ summary: z.string() }),
  async run({ input, durable, idempotencyKey }) {
    const call = async () => {
      modelCalls.push(`${idempotencyKey}:${input.text}`)
      return input.text.slice(0, 5)
    }
    const summary = durable ? await durable('model:1', call) : await call()
    if (failuresLeft > 0) {
      failuresLeft--
      throw new Error('tool failed')
    }
    return { summary }
  },
}

const broken: AgentV1<unknown, { summary: string }> = {
  ...summarizer,
  id: 'broken',
  input: z.unknown(),
  run: async () => ({ summary: 42 }) as never,
}

const noop = createStep({ id: 'noop', input: z.unknown(), output: z.unknown(), run: () => null })

const newEngine = useEngines()

describe('agent nodes', () => {
  it('run the agent on the previous output and bring it into the registry', async () => {
    modelCalls.length = 0
    const workflow = createWorkflow({ id: 'summarize', input: z.object({ text: z.string() }) })
      .agent(summarizer)
      .commit()
    expect(workflow.definition.root).toMatchObject({
      children: [{ type: 'agent', id: 'summarizer', agent: 'summarizer' }],
    })
    // The next node's input is the agent's output.
    createWorkflow({ id: 'typed', input: z.object({ text: z.string() }) })
      .agent(summarizer)
      .map(({ input }) => expectTypeOf(input).toEqualTypeOf<{ summary: string }>())
    const engine = newEngine()
    const run = await engine.start(workflow, { text: 'hello world' })
    expect(await run.result()).toEqual({ summary: 'hello' })
    expect(modelCalls).toEqual([`${run.id}:summarizer:hello world`])
    expect(engine.registry.agents.get('summarizer')).toBe(summarizer)
  })

  it('pass the step durable(): a retried attempt replays the completed call', async () => {
    modelCalls.length = 0
    failuresLeft = 1
    const workflow = createWorkflow({
      id: 'summarize-retry',
      input: z.object({ text: z.string() }),
    })
      .agent(summarizer, {
        id: 'sum',
        retry: { attempts: 2, backoff: { initial: '1ms', jitter: false } },
      })
      .commit()
    const run = await newEngine().start(workflow, { text: 'retried' })
    expect(await run.result()).toEqual({ summary: 'retri' })
    expect(modelCalls).toHaveLength(1)
  })

  it('fail the run with a ValidationError when the input or the output does not fit', async () => {
    const engine = newEngine()
    const badInput = createWorkflow({
      id: 'bad-agent-input',
      input: z.object({ text: z.number() }),
    })
      // @ts-expect-error: the previous output ({ text: number }) is not the agent's input
      .agent(summarizer)
      .commit()
    const first = await engine.start(badInput, { text: 1 })
    const inputError = await first.result().catch((error: unknown) => error)
    expect(ValidationError.isInstance(inputError)).toBe(true)
    expect(inputError).toMatchObject({ stepId: 'summarizer', target: 'input' })
    const badOutput = createWorkflow({ id: 'bad-agent-output', input: z.object({}) })
      .agent(broken)
      .commit()
    const second = await engine.start(badOutput, {})
    const outputError = await second.result().catch((error: unknown) => error)
    expect(ValidationError.isInstance(outputError)).toBe(true)
    expect(outputError).toMatchObject({ stepId: 'broken', target: 'output' })
  })

  it('run from JSON with a registered agent; an unknown agent is a DefinitionError', async () => {
    const engine = newEngine()
    engine.register(summarizer)
    const definition = createWorkflow({ id: 'from-json', input: z.object({ text: z.string() }) })
      .agent(summarizer, { timeout: '1m' })
      .commit().definition
    expect(definition.root.type === 'sequence' && definition.root.children[0]).toEqual({
      type: 'agent',
      id: 'summarizer',
      agent: 'summarizer',
      timeoutMs: 60_000,
    })
    const run = await engine.start(
      workflowFromDefinition(definition, { registry: engine.registry }),
      {
        text: 'from json',
      },
    )
    expect(await run.result()).toEqual({ summary: 'from ' })
    const unknown = structuredClone(definition)
    ;(unknown.root as { children: { agent: string }[] }).children[0]!.agent = 'translator'
    expect(() => workflowFromDefinition(unknown, { registry: engine.registry })).toThrow(
      DefinitionError,
    )
  })

  it('validateDefinition reports unknown_agent with the known agents, and a type mismatch', () => {
    const mutable = createRegistry()
    mutable.addAgent(summarizer)
    const registry = mutable.describe()
    const definition = (agent: string, input: z.ZodType) => {
      const built = createWorkflow({ id: 'w', input }).then(noop).commit().definition
      return {
        ...built,
        root: { type: 'sequence', id: 'root', children: [{ type: 'agent', id: 'a', agent }] },
      }
    }
    const unknown = validateDefinition(definition('translator', z.object({ text: z.string() })), {
      registry,
    })
    expect(unknown.issues).toEqual([
      expect.objectContaining({
        path: 'root.children[0].agent',
        code: 'unknown_agent',
        message: expect.stringContaining('known: "summarizer"'),
      }),
    ])
    const mismatch = validateDefinition(definition('summarizer', z.object({ text: z.number() })), {
      registry,
    })
    expect(mismatch.ok).toBe(false)
    expect(mismatch.issues.map((issue) => issue.code)).toContain('type_mismatch')
    const missing = validateDefinition(definition('summarizer', z.object({})), {
      registry,
    })
    expect(missing.issues.map((issue) => issue.code)).toContain('missing_input')
  })

  it('the builder refuses what is not an agent', () => {
    const start = createWorkflow({ id: 'w', input: z.object({ text: z.string() }) })
    expect(() => start.agent({ id: 'x' } as never)).toThrow(/an agent/)
  })
})
