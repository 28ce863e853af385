import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { z } from 'zod'
import {
  workflowFromDefinition,
  type DefinitionNode,
  type Workflow,
  type WorkflowDefinition,
} from '../../index'
import { createRegistry } from '../../registry/registry'
import { toJsonSchema } from '../../registry/json-schema'
import { generateCode, visitNodes } from '../index'
import { zodCode } from './zod-code'
import {
  anyFunction,
  child,
  echoAgent,
  mailer,
  steps,
} from '../../../test/codegen-property-registry'
import {
  createScratchDirectory,
  registryModule,
  typeCheck,
  writeModule,
} from '../../../test/codegen-harness'

// Random workflow definitions over a fixed registry, nested shapes included, with
// node ids from a small pool (some equal to the ids the builder derives, some not), function
// references that are derived ids, other registered ids or JSONata expressions, and JSON Schemas
// converted from random zod schemas.

const zodSchema = fc.letrec<{ node: z.ZodType; leaf: z.ZodType }>((tie) => ({
  leaf: fc
    .constantFrom(
      () => z.string(),
      () => z.string().min(1).max(5),
      () => z.number(),
      () => z.int(),
      () => z.number().min(0).lt(10),
      () => z.boolean(),
      () => z.null(),
      () => z.enum(['a', 'b']),
      () => z.literal('x'),
      () => z.literal(3),
      () => z.email(),
      () => z.iso.datetime(),
      () => z.unknown(),
    )
    .map((make) => make()),
  node: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    tie('leaf'),
    fc
      .dictionary(fc.constantFrom('a', 'b', 'c-d', 'e f'), fc.tuple(tie('node'), fc.boolean()), {
        maxKeys: 3,
      })
      .chain((shape) =>
        fc.constantFrom('object', 'strict', 'loose').map((kind) => {
          const fields = Object.fromEntries(
            Object.entries(shape).map(([key, [schema, optional]]) => [
              key,
              optional ? schema.optional() : schema,
            ]),
          )
          return kind === 'object'
            ? z.object(fields)
            : kind === 'strict'
              ? z.strictObject(fields)
              : z.looseObject(fields)
        }),
      ),
    tie('node').map((schema) => z.array(schema)),
    tie('node').map((schema) => schema.nullable()),
    fc.tuple(tie('node'), tie('node')).map(([a, b]) => z.union([a, b])),
    tie('node').map((schema) => z.record(z.string(), schema)),
    fc
      .tuple(tie('node'), fc.constantFrom('a thing', "it's", 'say "hi"'))
      .map(([schema, text]) => schema.describe(text)),
  ),
}))
const jsonSchema = zodSchema.node.map((schema) => toJsonSchema(schema))

const retry = fc.record({
  attempts: fc.integer({ min: 1, max: 10 }),
  type: fc.constantFrom('exponential' as const, 'fixed' as const),
  initialMs: fc.constantFrom(0, 100, 250, 1000, 60_000),
  maxMs: fc.constantFrom(30_000, 5000, 1234),
  factor: fc.constantFrom(1, 1.5, 2),
  jitter: fc.boolean(),
})
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined })

type Draft = Record<string, unknown> & { type: DefinitionNode['type'] }
/** A callable before ids are known: 'derived' becomes the id the builder would derive. */
const callable = fc.oneof(
  fc.constant('derived' as const),
  fc.constantFrom('shared/one', 'shared/two').map((id) => ({ function: id })),
  fc.constantFrom('n > 1', 'true', '$exists(n)').map((source) => ({ expression: source })),
)
const runnable: fc.Arbitrary<Draft> = fc.oneof(
  fc.record(
    {
      type: fc.constant('step' as const),
      step: fc.constantFrom('inc', 'square'),
      retry: optional(retry),
      timeoutMs: optional(fc.oneof(fc.integer({ min: 0, max: 10_000_000 }), fc.constant(1.5))),
    },
    { requiredKeys: ['type', 'step'] },
  ),
  fc.constant({ type: 'workflow' as const, workflow: 'child', version: child.version }),
)
/** Nodes of a chain, and what stands where a step would: a step, a workflow, a nested
 * sequence (`sequence()` in code) or any other node (`single()`). */
const tree = fc.letrec<{ top: Draft; body: Draft }>((tie) => ({
  body: fc.oneof(
    { depthSize: 'small', maxDepth: 2 },
    runnable,
    runnable,
    tie('top'),
    fc.record({
      type: fc.constant('sequence' as const),
      children: fc.array(tie('top'), { maxLength: 3 }),
    }),
  ),
  top: fc.oneof(
    { depthSize: 'small', maxDepth: 2 },
    runnable,
    fc.record({ type: fc.constant('code' as const), call: callable }),
    fc.record(
      {
        type: fc.constant('action' as const),
        connector: fc.constant('mail.v2'),
        action: fc.constantFrom('send', 'count-words'),
        config: fc.dictionary(
          fc.constantFrom('a', 'b-c', 'x y', 'constructor', '__proto__'),
          fc.jsonValue({ maxDepth: 2 }),
          { maxKeys: 3 },
        ),
        retry: optional(retry),
        timeoutMs: optional(fc.integer({ min: 0, max: 10_000_000 })),
      },
      { requiredKeys: ['type', 'connector', 'action'] },
    ),
    fc.record(
      {
        type: fc.constant('agent' as const),
        agent: fc.constant('echo.v1'),
        retry: optional(retry),
        timeoutMs: optional(fc.integer({ min: 0, max: 10_000_000 })),
      },
      { requiredKeys: ['type', 'agent'] },
    ),
    fc.oneof(
      fc.record({ type: fc.constant('sleep' as const), durationMs: fc.nat({ max: 1e9 }) }),
      fc.record({ type: fc.constant('sleep' as const), until: callable }),
    ),
    fc.record(
      {
        type: fc.constant('event' as const),
        event: fc.constantFrom('go', 'order.paid', 'a:b/c'),
        match: callable,
        timeoutMs: fc.integer({ min: 1, max: 1e9 }),
        schema: jsonSchema,
      },
      { requiredKeys: ['type', 'event'] },
    ),
    fc.record(
      {
        type: fc.constant('approval' as const),
        timeoutMs: fc.integer({ min: 1, max: 1e9 }),
        schema: jsonSchema,
        nodeId: fc.constant(true),
      },
      { requiredKeys: ['type'] },
    ),
    fc.record({
      type: fc.constant('branch' as const),
      cases: fc.array(fc.record({ when: callable, then: tie('body') }), {
        minLength: 1,
        maxLength: 3,
      }),
    }),
    fc.record({
      type: fc.constant('parallel' as const),
      keys: fc.uniqueArray(fc.constantFrom('a', 'b-c', '1', 'x y', 'constructor'), {
        minLength: 1,
        maxLength: 3,
      }),
      bodies: fc.array(tie('body'), { minLength: 3, maxLength: 3 }),
    }),
    fc.record({
      type: fc.constant('foreach' as const),
      concurrency: fc.integer({ min: 1, max: 10 }),
      body: tie('body'),
    }),
    fc.record({
      type: fc.constant('loop' as const),
      maxIterations: fc.integer({ min: 1, max: 200 }),
      until: callable,
      body: tie('body'),
    }),
    fc.record({
      type: fc.constant('sequence' as const),
      children: fc.array(tie('top'), { maxLength: 3 }),
    }),
  ),
}))
const topNode = tree.top

const idPool = ['a', 'inc', 'inc-1', 'square', 'map-1', 'branch-1', 'parallel-1', 'loop-1'].concat([
  'foreach-1',
  'sleep',
  'child',
  'go',
  'order.paid',
  'x.y',
  'n:1',
  'a/b',
  'w/map-1',
])

const definition: fc.Arbitrary<WorkflowDefinition> = fc
  .record(
    {
      id: fc.constantFrom('w', 'order-review', 'a.b:c', '9lives'),
      description: fc.string({ minLength: 1, maxLength: 20 }),
      inputSchema: jsonSchema,
      outputSchema: jsonSchema,
      defaults: fc.oneof(
        fc.record({ retry, timeoutMs: fc.nat({ max: 1e7 }) }),
        fc.record({ retry }),
        fc.record({ timeoutMs: fc.nat({ max: 1e7 }) }),
      ),
      children: fc.array(topNode, { maxLength: 7 }),
      idPicks: fc.array(fc.nat({ max: idPool.length * 2 }), { minLength: 40, maxLength: 40 }),
    },
    { requiredKeys: ['id', 'inputSchema', 'children', 'idPicks'] },
  )
  .map(({ children, idPicks, ...top }) => assemble(top, children, idPicks))

/**
 * Gives the drafted nodes unique ids and resolves 'derived' function references to the id the
 * builder derives in the chain the node is built in: the workflow's, a nested sequence's (its
 * id), or a single node's ('fragment').
 */
function assemble(
  top: Record<string, unknown> & { id: string },
  drafts: Draft[],
  idPicks: number[],
): WorkflowDefinition {
  const used = new Set(['root'])
  let pick = 0
  let counter = 0
  const nextId = () => {
    const candidate = idPool[idPicks[pick++ % idPicks.length]!]
    const id = candidate !== undefined && !used.has(candidate) ? candidate : `n${++counter}`
    used.add(id)
    return id
  }
  const build = (draft: Draft, chainId: string, inBody: boolean): DefinitionNode => {
    const id = nextId()
    if (inBody && !['step', 'workflow', 'sequence'].includes(draft.type)) chainId = 'fragment'
    const resolve = (call: unknown, derived: string) =>
      call === 'derived' ? { function: `${chainId}/${derived}` } : call
    const body = (child: Draft) => build(child, chainId, true)
    switch (draft.type) {
      case 'sequence':
        return {
          type: 'sequence',
          id,
          children: (draft.children as Draft[]).map((child) => build(child, id, false)),
        }
      case 'code':
        return { type: 'code', id, ...(resolve(draft.call, id) as { function: string }) }
      case 'branch':
        return {
          type: 'branch',
          id,
          cases: (draft.cases as { when: unknown; then: Draft }[]).map((entry, index) => ({
            when: resolve(entry.when, `${id}/when-${index}`) as { function: string },
            then: body(entry.then),
          })),
        }
      case 'parallel': {
        const bodies = draft.bodies as Draft[]
        return {
          type: 'parallel',
          id,
          branches: Object.fromEntries(
            (draft.keys as string[]).map((key, index) => [key, body(bodies[index]!)]),
          ),
        }
      }
      case 'foreach':
        return {
          type: 'foreach',
          id,
          concurrency: draft.concurrency as number,
          body: body(draft.body as Draft),
        }
      case 'loop':
        return {
          type: 'loop',
          id,
          maxIterations: draft.maxIterations as number,
          body: body(draft.body as Draft),
          until: resolve(draft.until, `${id}/until`) as { function: string },
        }
      case 'sleep':
        return draft.until === undefined
          ? { type: 'sleep', id, durationMs: draft.durationMs as number }
          : {
              type: 'sleep',
              id,
              until: resolve(draft.until, `${id}/until`) as { function: string },
            }
      case 'event':
        return {
          ...(draft as object),
          id,
          ...(draft.match !== undefined
            ? { match: resolve(draft.match, `${id}/match`) as { function: string } }
            : {}),
        } as DefinitionNode
      case 'approval': {
        const { nodeId, ...rest } = draft
        return { ...rest, id, approval: nodeId ? 'named-approval' : id } as DefinitionNode
      }
      default:
        return { ...(draft as object), id } as DefinitionNode
    }
  }
  const children = drafts.map((draft) => build(draft, top.id, false))
  const value = {
    kind: 'tessera.workflow',
    schemaVersion: 1,
    ...top,
    version: 'to-compute',
    root: { type: 'sequence', id: 'root', children },
  }
  return JSON.parse(JSON.stringify(value)) as WorkflowDefinition
}

/** The definition as the engine registers it: `version` computed from the content. */
function registered(value: WorkflowDefinition): WorkflowDefinition {
  const registry = createRegistry()
  registry.addStep(steps.inc)
  registry.addStep(steps.square)
  registry.addWorkflow(child)
  registry.addConnector(mailer)
  registry.addAgent(echoAgent)
  visitNodes(value.root, 'root', (node) => {
    const references = [
      node.type === 'code' ? node : undefined,
      ...(node.type === 'branch' ? node.cases.map((entry) => entry.when) : []),
      node.type === 'loop' || node.type === 'sleep' ? node.until : undefined,
      node.type === 'event' ? node.match : undefined,
    ]
    for (const reference of references)
      if (reference && 'function' in reference && reference.function !== undefined)
        registry.addFunction(reference.function, anyFunction)
  })
  return workflowFromDefinition(value, { registry }).definition
}

let scratch: ReturnType<typeof createScratchDirectory>
let counter = 0
beforeAll(() => {
  scratch = createScratchDirectory('codegen-property')
  writeModule(scratch.path, 'registry.ts', registryModule('codegen-property-registry'))
})
afterAll(() => scratch.remove())

async function rebuild(source: string): Promise<Workflow> {
  const file = writeModule(scratch.path, `case-${++counter}.ts`, source)
  const module = (await import(file)) as Record<string, Workflow>
  return Object.values(module)[0]!
}

describe('generateCode on random definitions (fast-check)', () => {
  it('zod code for random JSON Schemas (from zod) is exact: it converts back to the same JSON Schema', () => {
    fc.assert(
      fc.property(jsonSchema, (schema) => {
        expect(zodCode(schema).exact).toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  it('generated code, imported and run, gives the same definition and version', async () => {
    await fc.assert(
      fc.asyncProperty(definition, async (drafted) => {
        const expected = registered(drafted)
        const workflow = await rebuild(generateCode(expected))
        expect(workflow.definition).toEqual(expected)
      }),
      { numRuns: 80 },
    )
  }, 60_000)

  it('a sample of generated modules type-checks under --strict, except the builder’s own type errors of incoherent random chains', () => {
    // Random chains are not type-coherent (a foreach after an event payload): the builder's
    // readable compile errors are expected there; anything else (syntax, unknown names, wrong
    // arguments) is a code generation bug. Output schemas are left out: the type check of
    // .commit() against them would only repeat that point.
    const files = fc
      .sample(definition, { numRuns: 12, seed: 5 })
      .map(({ outputSchema: _ignored, ...drafted }, index) =>
        writeModule(scratch.path, `sample-${index}.ts`, generateCode(registered(drafted))),
      )
    const builderErrors = /ForeachNeedsArray|StepInputMismatch|LoopOutputMismatch/
    const others = typeCheck(files).filter((line) => !builderErrors.test(line))
    expect(others).toEqual([])
  }, 60_000)
})

describe('the random definitions', () => {
  it('include nested sequences, single nodes in step places, derived ids in nested chains and expressions', () => {
    const sources = fc
      .sample(definition, { numRuns: 150, seed: 11 })
      .map((drafted) => generateCode(registered(drafted)))
      .join('\n')
    for (const piece of [
      'sequence(',
      'single(',
      "namedFunction('",
      'expression(',
      'asNode(',
      'nodeId:',
      ".action(connectors['mail.v2'], '",
      ".agent(agents['echo.v1']",
    ])
      expect(sources).toContain(piece)
    expect(sources).toMatch(
      /functions\['(?!w\/|order-review\/|a\.b:c\/|9lives\/|shared\/)[^']+\/(?:map|when|until|match)/,
    )
  })
})
