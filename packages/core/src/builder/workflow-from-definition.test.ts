import { describe, expect, it } from 'vitest'
import {
  createEngine,
  createWorkflow,
  DefinitionError,
  definePlugin,
  ValidationError,
  workflowFromDefinition,
  createRegistry,
} from '../index'
import { double, inc, num } from '../../test/fixtures'

const child = createWorkflow({ id: 'child', input: num, output: num }).then(double).commit()
const parent = createWorkflow({ id: 'parent', input: num })
  .then(inc)
  .branch([
    [({ input }) => input.n > 100, double],
    [() => true, inc],
  ])
  .map(({ input }) => [input.n, input.n + 1, input.n + 2].map((n) => ({ n })))
  .foreach(inc, { concurrency: 2 })
  .map(({ input }) => ({ n: input.reduce((sum, item) => sum + item.n, 0) }))
  .parallel({ a: inc, b: child })
  .map(({ input }) => ({ n: input.a.n + input.b.n }))
  .loop(inc, { until: ({ output }) => output.n % 5 === 0, maxIterations: 10 })
  .commit()

// Everything the JSON refers to, registered by id as a host application would.
const plugin = definePlugin({
  name: 'round-trip',
  steps: [inc, double],
  functions: Object.fromEntries([...parent.functions, ...child.functions]),
})

describe('workflowFromDefinition and engine.registerDefinition', () => {
  it('runs a definition that went through JSON like the builder workflow, with the same version', async () => {
    const expected = await (await createEngine().start(parent, { n: 1 })).result()

    const engine = createEngine({ plugins: [plugin] })
    const childFromJson = engine.registerDefinition(JSON.parse(JSON.stringify(child.definition)))
    const fromJson = engine.registerDefinition(JSON.parse(JSON.stringify(parent.definition)))
    expect(childFromJson.version).toBe(child.version)
    expect(fromJson.version).toBe(parent.version)
    expect(fromJson.definition).toEqual(parent.definition)
    const run = await engine.start(fromJson, { n: 1 })
    expect(await run.result()).toEqual(expected)
    expect((await run.steps()).map((step) => step.key)).toContain('child/double')
    await engine.close()
  })

  it('validates the input with the schema rebuilt from JSON Schema', async () => {
    const engine = createEngine({ plugins: [plugin] })
    engine.registerDefinition(JSON.parse(JSON.stringify(child.definition)))
    const workflow = engine.registerDefinition(JSON.parse(JSON.stringify(parent.definition)))
    const error = await engine
      .start(workflow, { n: 'one' } as never)
      .catch((reason: unknown) => reason)
    expect(ValidationError.isInstance(error)).toBe(true)
    expect((error as ValidationError).issues[0]).toMatchObject({ path: 'n', expected: 'number' })
    await engine.close()
  })

  it('reports every unresolved reference with its JSON path', () => {
    const json = JSON.parse(JSON.stringify(parent.definition))
    let error: unknown
    try {
      workflowFromDefinition(json, { registry: createRegistry() })
    } catch (caught) {
      error = caught
    }
    expect(DefinitionError.isInstance(error)).toBe(true)
    const paths = (error as DefinitionError).issues.map((issue) => issue.path)
    expect(paths).toContain('root.children[0].step')
    expect(paths).toContain('root.children[1].cases[0].when.function')
    expect(paths).toContain('root.children[5].branches.b.workflow')
    expect(paths).toContain('root.children[7].until.function')
    expect((error as DefinitionError).message).toMatch(
      /^Workflow "parent" is invalid \(\d+ problems\): root.children\[0\].step: unknown step "inc"/,
    )
  })

  it('rejects a malformed definition before looking anything up', () => {
    expect(() =>
      workflowFromDefinition({ kind: 'tessera.workflow', id: 'x' }, { registry: createRegistry() }),
    ).toThrow(DefinitionError)
  })
})
