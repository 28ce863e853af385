import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as prettier from 'prettier'
import { DefinitionError, type Workflow, type WorkflowDefinition } from '../../index'
import { generateCode } from '../index'
import { thrownBy } from '../../../test/helpers'
import * as fixtures from '../../../test/codegen-fixtures'
import {
  createScratchDirectory,
  registryModule,
  runWithTsx,
  typeCheck,
  writeModule,
} from '../../../test/codegen-harness'

const prettierOptions = {
  parser: 'typescript',
  semi: false,
  singleQuote: true,
  trailingComma: 'all',
  printWidth: 100,
} as const

let scratch: ReturnType<typeof createScratchDirectory>
let diagnostics: string[] = []
let brokenFile = ''
const generated = new Map<string, { source: string; file: string }>()
const exported: Record<string, Workflow> = {
  child: fixtures.child,
  everything: fixtures.everything,
  totals: fixtures.totals,
  nested: fixtures.nested,
  notifying: fixtures.notifying,
  thinking: fixtures.thinking,
}

beforeAll(() => {
  scratch = createScratchDirectory('codegen')
  writeModule(scratch.path, 'registry.ts', registryModule('codegen-fixtures'))
  for (const [name, workflow] of Object.entries(exported)) {
    const source = generateCode(workflow.definition)
    generated.set(name, { source, file: writeModule(scratch.path, `${name}.ts`, source) })
  }
  // The totals workflow without its map: .foreach directly after { n } must not compile.
  const { definition } = fixtures.totals
  const root = definition.root as Extract<WorkflowDefinition['root'], { type: 'sequence' }>
  const broken = { ...definition, root: { ...root, children: root.children.slice(1) } }
  brokenFile = writeModule(scratch.path, 'broken.ts', generateCode(broken))
  // One compiler run for all files (it reads all of core's sources: seconds).
  diagnostics = typeCheck([...[...generated.values()].map((entry) => entry.file), brokenFile], {
    noUncheckedIndexedAccess: true,
  })
}, 60_000)
afterAll(() => scratch.remove())

async function run(file: string, exportName: string): Promise<Workflow> {
  const module = (await import(file)) as Record<string, Workflow>
  return module[exportName]!
}

describe('generateCode: builder → definition → code → the same definition', () => {
  it.each(Object.keys(exported))(
    '%s: the generated module rebuilds the definition, version included',
    async (name) => {
      const original = exported[name]!
      const rebuilt = await run(generated.get(name)!.file, name)
      expect(rebuilt.definition).toEqual(original.definition)
      expect(rebuilt.version).toBe(original.version)
      expect([...rebuilt.functions.keys()].sort()).toEqual([...original.functions.keys()].sort())
    },
  )

  it('the generated modules run in a Node process of their own (tsx) and print the same definitions', async () => {
    const names = Object.keys(exported)
    const script = [
      ...names.map((name) => `import { ${name} } from './${name}'`),
      `console.log(JSON.stringify({ ${names.map((name) => `${name}: ${name}.definition`).join(', ')} }))`,
      '',
    ].join('\n')
    writeModule(scratch.path, 'print-definitions.ts', script)
    const printed = JSON.parse(await runWithTsx(scratch.path, 'print-definitions.ts')) as Record<
      string,
      WorkflowDefinition
    >
    for (const name of names) expect(printed[name]).toEqual(exported[name]!.definition)
  }, 60_000)

  it('the generated modules type-check under the repository’s strict options, types flowing from the registry module', () => {
    const files = [...generated.values()].map((entry) => entry.file)
    expect(diagnostics.filter((line) => files.some((file) => line.startsWith(file)))).toEqual([])
  })

  it('the type check fails on generated code whose chain is mistyped (foreach on a non-array)', () => {
    const broken = diagnostics.filter((line) => line.startsWith(brokenFile))
    expect(broken.join('\n')).toContain('needs an array')
  })

  it('writes what Prettier writes, with the repository’s settings', async () => {
    for (const { source } of generated.values())
      expect(await prettier.format(source, prettierOptions)).toBe(source)
  })

  it('prints a small workflow exactly', () => {
    expect(generateCode(fixtures.totals.definition, { registryModule: './components' })).toBe(
      [
        "import { createWorkflow } from '@tessera/core'",
        "import { z } from 'zod'",
        "import { functions, steps } from './components'",
        '',
        'export const totals = createWorkflow({',
        "  id: 'totals',",
        '  input: z.object({ n: z.number() }),',
        '  output: z.array(z.object({ n: z.number() })),',
        '})',
        "  .map(functions['totals/map-1'])",
        '  .foreach(steps.square, { concurrency: 4 })',
        '  .commit()',
        '',
      ].join('\n'),
    )
  })

  it('uses expression(), namedFunction() and asNode() only where the definition needs them', () => {
    const source = generated.get('everything')!.source
    expect(source).toContain(
      "import { asNode, createWorkflow, expression, namedFunction } from '@tessera/core'",
    )
    expect(source).toContain(`.map(expression('{ "n": n }'), { id: 'pick' })`)
    expect(source).toContain("namedFunction('shared/wake-at', functions['shared/wake-at'])")
    expect(source).toContain(".map(functions['everything/map-1'])")
    expect(source).toContain("asNode(steps.square, { id: 'square-b' })")
    expect(source).toContain(
      ".then(steps.inc, { id: 'first', retry: { attempts: 2 }, timeout: 1500 })",
    )
    expect(source).not.toContain("namedFunction('everything/loop-1/until'")
  })

  it('writes action nodes with connectors from the registry module, config as a literal', () => {
    const source = generated.get('notifying')!.source
    expect(source).toContain("import { connectors, steps } from './registry'")
    expect(source).toContain(".action(connectors['mail.v2'], 'count-words', {")
    expect(source).toContain('from: "o\'hara@example.com",')
    expect(source).toContain(".action(connectors.ping, 'ping')\n")
    expect(source).toContain(
      ".action(connectors.ping, 'ping', undefined, { id: 'ping-again', timeout: '5s' })",
    )
    expect(source).toContain('mail: single((chain) =>')
    expect(fixtures.notifying.connectors?.get('mail.v2')).toBe(fixtures.connectors['mail.v2'])
  })

  it('writes agent nodes with agents from the registry module', () => {
    const source = generated.get('thinking')!.source
    expect(source).toContain("import { agents, steps } from './registry'")
    expect(source).toContain(".agent(agents['doubler.v2'])\n")
    expect(source).toContain('.agent(agents.twice, { retry: { attempts: 2')
    expect(source).toContain(".agent(agents.twice, { id: 'twice-again' })")
    expect(fixtures.thinking.agents?.get('twice')).toBe(fixtures.agents.twice)
  })

  it('names the export after options.exportName and imports the builder from options.corePackage', () => {
    const source = generateCode(fixtures.child.definition, {
      exportName: 'childWorkflow',
      corePackage: 'tessera',
    })
    expect(source).toContain("import { createWorkflow } from 'tessera'")
    expect(source).toContain('export const childWorkflow = createWorkflow({')
  })
})

describe('generateCode: definitions the builder cannot write', () => {
  const base = fixtures.child.definition
  const withChildren = (children: unknown[]) =>
    ({ ...base, root: { type: 'sequence', id: 'root', children } }) as WorkflowDefinition

  it('reports what the builder cannot express (a parallel without branches) with its JSON path', () => {
    const error = thrownBy(() =>
      generateCode(
        withChildren([
          { type: 'step', id: 'inc', step: 'inc' },
          { type: 'parallel', id: 'p', branches: {} },
        ]),
      ),
    )
    expect(error).toBeInstanceOf(DefinitionError)
    expect((error as DefinitionError).issues).toEqual([
      {
        path: 'root.children[1].branches',
        message: 'cannot be written with the builder: a parallel node without branches',
      },
    ])
  })

  it('names nodes whose ids hold "/" (the designer names code nodes after their function)', () => {
    const source = generateCode(
      withChildren([
        { type: 'code', id: 'order-review/map-1', function: 'order-review/map-1' },
        { type: 'parallel', id: 'p', branches: { b: { type: 'step', id: 'x/y', step: 'inc' } } },
      ]),
    )
    expect(source).toContain("namedFunction('order-review/map-1', functions['order-review/map-1'])")
    expect(source).toContain("id: 'order-review/map-1'")
    expect(source).toContain("asNode(steps.inc, { id: 'x/y' })")
  })

  it('writes nested shapes with sequence() and single()', () => {
    const source = generateCode(
      withChildren([
        {
          type: 'foreach',
          id: 'f',
          concurrency: 1,
          body: { type: 'code', id: 'c', expression: '$ * 2' },
        },
        { type: 'sequence', id: 'tail', children: [{ type: 'step', id: 'inc', step: 'inc' }] },
      ]),
    )
    expect(source).toContain(
      ".foreach(single((chain) => chain.map(expression('$ * 2'), { id: 'c' })), {",
    )
    expect(source).toContain(".then(sequence('tail', (chain) => chain.then(steps.inc)))")
    expect(
      generateCode(withChildren([{ type: 'approval', id: 'boss', approval: 'manager' }])),
    ).toContain(".approval({ id: 'manager', nodeId: 'boss' })")
  })

  it('rejects an invalid definition with the parser’s DefinitionError', () => {
    expect(thrownBy(() => generateCode({ ...base, id: '' }))).toBeInstanceOf(DefinitionError)
  })

  it('falls back to z.fromJSONSchema for a JSON Schema it has no zod code for, and says so', () => {
    const source = generateCode({
      ...base,
      inputSchema: { type: 'string', contentEncoding: 'base64' },
    })
    expect(source).toContain(
      "input: z.fromJSONSchema({ type: 'string', contentEncoding: 'base64' })",
    )
    expect(source).toContain('// inputSchema: this zod schema may not convert back')
  })
})
