import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  DefinitionError,
  createStep,
  createWorkflow,
  parseDefinition,
  workflowDefinitionSchema,
} from '../index'
import { canonicalJson, contentHash, visitNodes } from './index'
import { thrownBy } from '../../test/helpers'
import { inc, num } from '../../test/fixtures'

const square = createStep({
  id: 'square',
  input: num,
  output: num,
  run: ({ input }) => ({ n: input.n ** 2 }),
})
const child = createWorkflow({ id: 'child', input: num }).then(inc).commit()

/** A workflow using every node type, defaults and an output schema. */
const everything = () =>
  createWorkflow({
    id: 'everything',
    description: 'all node kinds',
    input: num,
    output: z.array(num),
    defaults: {
      retry: { attempts: 3, backoff: { type: 'fixed', initial: '1s', jitter: false } },
      timeout: '30s',
    },
  })
    .then(inc)
    .then(child)
    .branch([
      [({ input }) => input.n > 5, square],
      [() => true, inc],
    ])
    .parallel({ a: inc, b: square })
    .map(({ input }) => [input.a, input.b])
    .foreach(inc, { concurrency: 2, id: 'each' })
    .commit()

describe('workflow definitions', () => {
  it('a committed workflow’s definition passes workflowDefinitionSchema and parseDefinition unchanged', () => {
    const { definition } = everything()
    const json = JSON.parse(JSON.stringify(definition))
    expect(json).toEqual(definition) // plain JSON: no functions, no undefined, no classes
    expect(workflowDefinitionSchema.parse(json)).toEqual(definition)
    expect(parseDefinition(json)).toEqual(definition)
  })

  it('describes the graph: node types, ids, references and defaults', () => {
    const { definition, version } = everything()
    expect(definition).toMatchObject({
      kind: 'tessera.workflow',
      schemaVersion: 1,
      id: 'everything',
      version,
      description: 'all node kinds',
      inputSchema: { type: 'object', required: ['n'] },
      outputSchema: { type: 'array' },
      defaults: {
        retry: { attempts: 3, type: 'fixed', initialMs: 1000, jitter: false },
        timeoutMs: 30_000,
      },
    })
    const nodes: string[] = []
    visitNodes(definition.root, 'root', (node, path) =>
      nodes.push(`${path} ${node.type}:${node.id}`),
    )
    expect(nodes).toEqual([
      'root sequence:root',
      'root.children[0] step:inc',
      'root.children[1] workflow:child',
      'root.children[2] branch:branch-1',
      'root.children[2].cases[0].then step:square',
      'root.children[2].cases[1].then step:inc-1',
      'root.children[3] parallel:parallel-1',
      'root.children[3].branches.a step:inc-2',
      'root.children[3].branches.b step:square-1',
      'root.children[4] code:map-1',
      'root.children[5] foreach:each',
      'root.children[5].body step:inc-3',
    ])
    expect(definition.root).toMatchObject({
      children: [
        { type: 'step', step: 'inc' },
        { type: 'workflow', workflow: 'child', version: child.version },
        {
          cases: [
            { when: { function: 'everything/branch-1/when-0' } },
            { when: { function: 'everything/branch-1/when-1' } },
          ],
        },
        {},
        { type: 'code', function: 'everything/map-1' },
        { type: 'foreach', concurrency: 2 },
      ],
    })
  })

  it('a loop node carries its until function and maxIterations', () => {
    const { definition, functions } = createWorkflow({ id: 'looping', input: num })
      .loop(inc, { until: ({ output }) => output.n > 3, maxIterations: 7 })
      .commit()
    expect(definition.root).toEqual({
      type: 'sequence',
      id: 'root',
      children: [
        {
          type: 'loop',
          id: 'loop-1',
          maxIterations: 7,
          until: { function: 'looping/loop-1/until' },
          body: { type: 'step', id: 'inc', step: 'inc' },
        },
      ],
    })
    expect(typeof functions.get('looping/loop-1/until')).toBe('function')
    expect(parseDefinition(definition)).toEqual(definition)
  })
})

describe('content hash (version)', () => {
  it('is stable: the same chain always gives the same version', () => {
    expect(everything().version).toBe(everything().version)
    expect(everything().version).toMatch(/^[0-9a-f]{27}$/)
    expect(contentHash('abc')).toBe(contentHash('abc'))
    expect(contentHash('abc')).not.toBe(contentHash('abd'))
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: 3 } })).toBe(
      '{"a":{"c":3,"d":[2,{"y":2,"z":1}]},"b":1}',
    )
  })

  it('changes when a step changes, is added or moves', () => {
    const base = createWorkflow({ id: 'w', input: num }).then(inc).then(square).commit().version
    expect(createWorkflow({ id: 'w', input: num }).then(inc).then(inc).commit().version).not.toBe(
      base,
    )
    expect(
      createWorkflow({ id: 'w', input: num }).then(square).then(inc).commit().version,
    ).not.toBe(base)
    expect(
      createWorkflow({ id: 'w', input: num }).then(inc).then(square).then(inc).commit().version,
    ).not.toBe(base)
    expect(createWorkflow({ id: 'w', input: num }).then(inc).then(square).commit().version).toBe(
      base,
    )
  })

  it('changes when an inline function’s code changes, not when an equal one is recreated', () => {
    const make = (fn: (args: { input: { n: number } }) => number) =>
      createWorkflow({ id: 'w', input: num }).map(fn).commit().version
    const doubled = make(({ input }) => input.n * 2)
    expect(make(({ input }) => input.n * 2)).toBe(doubled)
    expect(make(({ input }) => input.n * 3)).not.toBe(doubled)
    const until = (limit: number) =>
      createWorkflow({ id: 'w', input: num })
        .loop(inc, {
          until: limit === 3 ? ({ output }) => output.n > 3 : ({ output }) => output.n > 4,
        })
        .commit().version
    expect(until(3)).not.toBe(until(4))
  })

  it('changes with the schemas, the defaults, the options and the id', () => {
    const base = createWorkflow({ id: 'w', input: num })
      .foreach(inc as any)
      .commit().version
    const variants = [
      createWorkflow({ id: 'w', input: z.object({ n: z.number().int() }) })
        .foreach(inc as any)
        .commit(),
      createWorkflow({ id: 'w', input: num, output: z.array(num) })
        .foreach(inc as any)
        .commit(),
      createWorkflow({ id: 'w', input: num, defaults: { timeout: 5 } })
        .foreach(inc as any)
        .commit(),
      createWorkflow({ id: 'w', input: num })
        .foreach(inc as any, { concurrency: 2 })
        .commit(),
      createWorkflow({ id: 'w2', input: num })
        .foreach(inc as any)
        .commit(),
    ]
    for (const variant of variants) expect(variant.version).not.toBe(base)
    expect(new Set(variants.map((variant) => variant.version)).size).toBe(variants.length)
  })

  it('a parent’s version changes when its child workflow changes', () => {
    const childV2 = createWorkflow({ id: 'child', input: num }).then(square).commit()
    const parentV1 = createWorkflow({ id: 'p', input: num }).then(child).commit()
    const parentV2 = createWorkflow({ id: 'p', input: num }).then(childV2).commit()
    expect(parentV2.version).not.toBe(parentV1.version)
  })
})

describe('parseDefinition errors', () => {
  it('lists every shape problem with a JSON path and the workflow id', () => {
    const { definition } = everything()
    const broken = JSON.parse(JSON.stringify(definition))
    broken.root.children[0].type = 'stepp'
    broken.root.children[5].concurrency = 0
    delete broken.version
    const error = thrownBy(() => parseDefinition(broken))
    expect(DefinitionError.isInstance(error)).toBe(true)
    expect(error.workflowId).toBe('everything')
    const paths = error.issues.map((issue: { path: string }) => issue.path)
    expect(paths).toContain('version')
    expect(paths).toContain('root.children[0].type')
    expect(paths).toContain('root.children[5].concurrency')
    expect(error.message).toMatch(/^Workflow "everything" is invalid \(3 problems\): /)
  })

  it('reports duplicate node ids with both places', () => {
    const definition = JSON.parse(
      JSON.stringify(
        createWorkflow({ id: 'dups', input: num }).then(inc).then(square).commit().definition,
      ),
    )
    definition.root.children[1].id = 'inc'
    const error = thrownBy(() => parseDefinition(definition))
    expect(error.issues).toEqual([
      {
        path: 'root.children[1].id',
        message: 'duplicate node id "inc" (first at root.children[0])',
      },
    ])
  })

  it('rejects unknown keys and non-objects', () => {
    const definition = {
      ...createWorkflow({ id: 'extra', input: num }).then(inc).commit().definition,
      extra: true,
    }
    expect(thrownBy(() => parseDefinition(definition)).message).toContain(
      'Workflow "extra" is invalid',
    )
    const error = thrownBy(() => parseDefinition('not a definition'))
    expect(DefinitionError.isInstance(error)).toBe(true)
    expect(error.workflowId).toBeUndefined()
    expect(error.message).toMatch(/^Workflow definition is invalid \(1 problem\): \(root\): /)
  })
})
