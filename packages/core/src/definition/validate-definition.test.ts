import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createEngine, createRegistry, createStep, createWorkflow } from '../index'
import { double, inc, num, square } from '../../test/fixtures'
import { validateDefinition, type DefinitionValidation } from './index'

const text = createStep({
  id: 'text',
  input: z.object({ text: z.string() }),
  output: z.object({ text: z.string(), words: z.number().int() }),
  run: ({ input }) => ({ text: input.text, words: input.text.split(' ').length }),
})
const loose = createStep({
  id: 'loose',
  input: z.object({ n: z.number() }),
  output: z.object({ n: z.number() }).loose(),
  run: ({ input }) => input,
})
const maybe = createStep({
  id: 'maybe',
  input: num,
  output: z.object({ n: z.number().optional(), label: z.union([z.string(), z.number()]) }),
  run: ({ input }) => ({ n: input.n, label: 'x' }),
})
const child = createWorkflow({ id: 'child', input: num, output: num }).then(double).commit()

const registryWith = () => {
  const registry = createRegistry()
  for (const step of [inc, double, square, text, loose, maybe]) registry.addStep(step)
  registry.addWorkflow(child)
  registry.addFunction('known/function', () => true)
  return registry
}
const registry = registryWith().describe()

/** A definition around `root`, with `{ n: number }` as input. */
const definition = (root: unknown, extra: Record<string, unknown> = {}) => ({
  kind: 'tessera.workflow',
  schemaVersion: 1,
  id: 'checked',
  version: 'draft',
  inputSchema: toJson(num),
  root,
  ...extra,
})
const toJson = (schema: z.ZodType) => z.toJSONSchema(schema) as Record<string, unknown>
const sequence = (...children: unknown[]) => ({ type: 'sequence', id: 'root', children })
const step = (id: string, name = id) => ({ type: 'step', id, step: name })

const codes = (result: DefinitionValidation) =>
  result.issues.map(({ path, code, severity }) => `${severity} ${code} ${path}`)

describe('validateDefinition', () => {
  it('a definition from the builder validates clean against the registry it was registered in', () => {
    const workflow = createWorkflow({ id: 'everything', input: num, output: num })
      .then(inc)
      .then(child)
      .branch([
        [({ input }) => input.n > 5, square],
        [() => true, inc],
      ])
      .parallel({ a: inc, b: square })
      .map(({ input }) => [input.a, input.b])
      .foreach(inc, { concurrency: 2, id: 'each' })
      .map(({ input }) => ({ n: input.length }))
      .loop(double, { until: ({ output }) => output.n > 100, maxIterations: 10 })
      .sleep('1s')
      .commit()
    const engine = createEngine({ workflows: [workflow] })
    const result = validateDefinition(JSON.parse(JSON.stringify(workflow.definition)), {
      registry: engine.registry.describe(),
      definitions: engine.registry.definitions(),
    })
    expect(result.issues).toEqual([])
    expect(result.ok).toBe(true)
    expect(result.definition).toEqual(workflow.definition)
  })

  it('reports every shape problem at once, with JSON paths (invalid_shape), and no definition', () => {
    const result = validateDefinition(
      definition(sequence({ type: 'step', id: 'a' }, { type: 'nope', id: 'b' }), { id: 7 }),
    )
    expect(result.ok).toBe(false)
    expect(result.definition).toBeUndefined()
    expect(codes(result)).toEqual(
      expect.arrayContaining([
        'error invalid_shape id',
        'error invalid_shape root.children[0].step',
        'error invalid_shape root.children[1].type',
      ]),
    )
  })

  it('names a format version it cannot read (unsupported_version)', () => {
    const result = validateDefinition({ ...definition(step('inc')), schemaVersion: 2 })
    expect(codes(result)).toEqual(['error unsupported_version schemaVersion'])
    expect(result.issues[0]!.message).toContain('format version 2 is not supported')
  })

  it('finds duplicate node ids (duplicate_id)', () => {
    const result = validateDefinition(definition(sequence(step('inc'), step('inc'))))
    expect(codes(result)).toEqual(['error duplicate_id root.children[1].id'])
    expect(result.issues[0]!.message).toContain('first at root.children[0]')
    expect(result.definition).toBeDefined()
  })

  it('lists the known ids for an unknown step, workflow or function', () => {
    const result = validateDefinition(
      definition(
        sequence(
          step('fetch', 'fetch-order'),
          step('child-as-step', 'child'),
          { type: 'workflow', id: 'sub', workflow: 'missing' },
          { type: 'workflow', id: 'old', workflow: 'child', version: 'v0' },
          { type: 'code', id: 'map', function: 'unknown/map' },
          {
            type: 'branch',
            id: 'pick',
            cases: [{ when: { function: 'known/function' }, then: step('inc') }],
          },
          {
            type: 'loop',
            id: 'again',
            maxIterations: 2,
            until: { function: 'gone' },
            body: step('double'),
          },
        ),
      ),
      { registry },
    )
    expect(codes(result)).toEqual([
      'error unknown_step root.children[0].step',
      'error unknown_step root.children[1].step',
      'error unknown_workflow root.children[2].workflow',
      'error unknown_workflow root.children[3].version',
      'error unknown_function root.children[4].function',
      'error unknown_function root.children[6].until.function',
    ])
    const messages = result.issues.map((issue) => issue.message)
    expect(messages[0]).toBe(
      'unknown step "fetch-order"; known: "double", "inc", "loose", "maybe", "square", "text"',
    )
    expect(messages[1]).toContain('a workflow of that id exists: use a workflow node')
    expect(messages[2]).toContain('known: "child"')
    expect(messages[3]).toContain(`known: "${child.version}"`)
    expect(messages[4]).toContain('known: "known/function"')
  })

  it('without a registry, checks what the definition alone shows', () => {
    const result = validateDefinition(definition(sequence(step('fetch', 'fetch-order'))))
    expect(result).toMatchObject({ ok: true, issues: [] })
  })

  it('takes a registry description that lacks whole lists as having none of those', () => {
    const result = validateDefinition(definition(sequence(step('inc'))), {
      registry: { steps: registry.steps } as never,
    })
    expect(result.issues).toEqual([])
    const unknown = validateDefinition(
      definition({ type: 'workflow', id: 'w', workflow: 'child' }),
      {
        registry: { steps: [] } as never,
      },
    )
    expect(codes(unknown)).toEqual(['error unknown_workflow root.workflow'])
  })

  it('reports JSON Schemas the engine could not use (invalid_json_schema)', () => {
    const result = validateDefinition(
      definition(
        { type: 'event', id: 'paid', event: 'payment', schema: { type: 'string', pattern: '(' } },
        { inputSchema: { type: 'no-such-type' } },
      ),
    )
    expect(codes(result)).toEqual([
      'error invalid_json_schema inputSchema',
      'error invalid_json_schema root.schema',
    ])
  })

  it('parses expressions at design time: syntax errors with path and position', () => {
    const result = validateDefinition(
      definition(
        sequence(
          step('inc'),
          {
            type: 'branch',
            id: 'size',
            cases: [
              { when: { expression: 'n >' }, then: step('double') },
              { when: { expression: 'true' }, then: step('square') },
            ],
          },
          { type: 'code', id: 'shape', expression: '{ "n": n ' },
        ),
      ),
      { registry },
    )
    expect(codes(result)).toEqual([
      'error expression_syntax root.children[1].cases[0].when.expression',
      'error expression_syntax root.children[2].expression',
    ])
    expect(result.issues[0]).toMatchObject({ position: 3 })
    expect(result.issues[0]!.message).toContain('syntax error at position 3')
  })

  it('still reports expression errors when the shape is invalid', () => {
    const result = validateDefinition(
      definition(sequence({ type: 'code', id: 'shape', expression: '$$$(' }, { type: 'step' })),
    )
    expect(codes(result)).toContain('error expression_syntax root.children[0].expression')
    expect(result.definition).toBeUndefined()
  })

  it('refuses $eval, $now, $millis and $random (expression_forbidden_function)', () => {
    const result = validateDefinition(
      definition(
        sequence(
          { type: 'code', id: 'a', expression: '$eval("n + 1")' },
          {
            type: 'code',
            id: 'b',
            expression: '{ "at": $now(), "ms": $millis(), "r": $random() }',
          },
        ),
      ),
    )
    expect(codes(result)).toEqual([
      'error expression_forbidden_function root.children[0].expression',
      'error expression_forbidden_function root.children[1].expression',
      'error expression_forbidden_function root.children[1].expression',
      'error expression_forbidden_function root.children[1].expression',
    ])
  })

  it('a constant condition that is not a boolean is an error (condition_not_boolean)', () => {
    const result = validateDefinition(
      definition({
        type: 'loop',
        id: 'again',
        maxIterations: 3,
        until: { expression: '"yes"' },
        body: step('inc'),
      }),
    )
    expect(codes(result)).toContain('error condition_not_boolean root.until.expression')
  })

  it('finds a required input the previous output lacks (missing_input): certain or possible', () => {
    const certain = validateDefinition(definition(sequence(step('inc'), step('text'))), {
      registry,
    })
    expect(codes(certain)).toEqual(['error missing_input root.children[1]'])
    expect(certain.issues[0]!.message).toBe(
      'input of step "text": the input needs "text", which the previous output never has',
    )
    expect(certain.ok).toBe(false)
    // `loose` may output more fields than it declares: "text" could be among them.
    const possible = validateDefinition(definition(sequence(step('loose'), step('text'))), {
      registry,
    })
    expect(codes(possible)).toEqual(['warning missing_input root.children[1]'])
    expect(possible.issues[0]!.message).toContain('which the previous output does not declare')
    expect(possible.ok).toBe(true)
  })

  it('finds types that cannot match (type_mismatch) and warns when they may not', () => {
    const result = validateDefinition(
      definition(sequence(step('maybe'), step('inc')), { outputSchema: toJson(z.string()) }),
      { registry },
    )
    expect(codes(result)).toEqual([
      'warning missing_input root.children[1]',
      'error type_mismatch outputSchema',
    ])
    expect(result.issues[1]!.message).toBe('the workflow output: expected string, got object')
    const arrays = validateDefinition(
      definition({ type: 'foreach', id: 'each', concurrency: 1, body: step('inc') }),
      { registry },
    )
    expect(codes(arrays)).toEqual(['error type_mismatch root'])
    expect(arrays.issues[0]!.message).toBe('input of foreach: expected array, got object')
  })

  it('checks the data through parallel, foreach and a loop’s later iterations', () => {
    const result = validateDefinition(
      definition(
        sequence(
          { type: 'parallel', id: 'both', branches: { a: step('inc'), b: step('double') } },
          step('after', 'inc'),
          {
            type: 'loop',
            id: 'grow',
            maxIterations: 3,
            until: { expression: 'words > 3' },
            body: step('text'),
          },
        ),
        { inputSchema: toJson(z.object({ n: z.number(), text: z.string() })) },
      ),
      { registry },
    )
    expect(codes(result)).toEqual([
      'error missing_input root.children[1]',
      'error missing_input root.children[2].body',
    ])
    expect(result.issues[0]!.message).toContain('"n"')
  })

  it('warns about fields an expression reads that its input does not have (unknown_field)', () => {
    const result = validateDefinition(
      definition(
        sequence(
          step('inc'),
          {
            type: 'branch',
            id: 'size',
            cases: [
              { when: { expression: 'count > 10 and n > 1' }, then: step('double') },
              { when: { expression: 'true' }, then: step('square') },
            ],
          },
          // Names inside predicates and after the first path step read other data: not checked.
          { type: 'code', id: 'shape', expression: '{ "n": n, "m": $.m, "x": n[y > 1].z }' },
        ),
      ),
      { registry },
    )
    expect(codes(result)).toEqual([
      'warning unknown_field root.children[1].cases[0].when.expression',
      'warning unknown_field root.children[2].expression',
    ])
    expect(result.issues[0]).toMatchObject({
      position: 5,
      message: '"count" is not a field of the input here (its fields: "n")',
    })
    expect(result.issues[1]!.message).toContain('"m" is not a field')
  })

  it('finds nodes that can never run (unreachable) and nodes that never complete', () => {
    const result = validateDefinition(
      definition(
        sequence(
          {
            type: 'branch',
            id: 'pick',
            cases: [
              { when: { expression: 'false' }, then: step('never') },
              { when: { expression: 'n > 1' }, then: step('big', 'double') },
              { when: { expression: 'true' }, then: step('rest', 'inc') },
              { when: { expression: 'n = 0' }, then: step('shadowed', 'square') },
            ],
          },
          {
            type: 'loop',
            id: 'stuck',
            maxIterations: 3,
            until: { expression: 'false' },
            body: step('inc-2', 'inc'),
          },
          step('after'),
        ),
      ),
    )
    expect(codes(result)).toEqual([
      'warning unreachable root.children[0].cases[0].then',
      'warning unreachable root.children[0].cases[3].then',
      'warning never_completes root.children[1]',
      'warning unreachable root.children[2]',
    ])
    expect(result.ok).toBe(true)
  })

  it('finds workflows that contain themselves (cycle), directly or through others', () => {
    const self = validateDefinition(
      definition(sequence(step('inc'), { type: 'workflow', id: 'again', workflow: 'checked' })),
    )
    expect(codes(self)).toEqual(['error cycle root.children[1]'])
    expect(self.issues[0]!.message).toContain('checked → checked')

    const outer = definition({ type: 'workflow', id: 'go', workflow: 'middle' })
    const middle = {
      ...definition({ type: 'workflow', id: 'back', workflow: 'checked' }),
      id: 'middle',
    }
    const result = validateDefinition(outer, {
      definitions: [validateDefinition(middle).definition!],
    })
    expect(codes(result)).toEqual(['error cycle root'])
    expect(result.issues[0]!.message).toContain('checked → middle → checked')
  })
})

describe('validateDefinition on arbitrary input', () => {
  it('never throws, whatever it is given, and is ok only with a definition', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const result = validateDefinition(value, { registry })
        expect(result.ok).toBe(
          result.definition !== undefined &&
            result.issues.every((issue) => issue.severity === 'warning'),
        )
      }),
      { numRuns: 300 },
    )
  })

  it('never throws for a definition with any one field replaced by any JSON value', () => {
    const base = definition(
      sequence(
        step('inc'),
        {
          type: 'branch',
          id: 'size',
          cases: [
            { when: { expression: 'n > 10' }, then: step('double') },
            {
              when: { function: 'known/function' },
              then: { type: 'workflow', id: 'sub', workflow: 'child' },
            },
          ],
        },
        {
          type: 'loop',
          id: 'again',
          maxIterations: 3,
          until: { expression: 'n > 100' },
          body: step('square'),
        },
        {
          type: 'foreach',
          id: 'each',
          concurrency: 2,
          body: { type: 'code', id: 'map', expression: '$' },
        },
      ),
    )
    const paths: (string | number)[][] = []
    const collect = (value: unknown, path: (string | number)[]) => {
      paths.push(path)
      if (Array.isArray(value)) value.forEach((item, index) => collect(item, [...path, index]))
      else if (typeof value === 'object' && value !== null)
        for (const [key, item] of Object.entries(value)) collect(item, [...path, key])
    }
    collect(base, [])
    fc.assert(
      fc.property(fc.constantFrom(...paths.slice(1)), fc.jsonValue(), (path, replacement) => {
        const copy = structuredClone(base) as Record<string | number, unknown>
        let target = copy
        for (const key of path.slice(0, -1))
          target = target[key] as Record<string | number, unknown>
        target[path[path.length - 1]!] = replacement
        const result = validateDefinition(copy, { registry })
        for (const issue of result.issues) expect(typeof issue.path).toBe('string')
      }),
      { numRuns: 500 },
    )
  })
})
