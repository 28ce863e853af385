import { DefinitionError, type DefinitionIssue } from '../../errors/definition-error'
import { parseDefinition } from '../parse-definition'
import type { DefinitionNode, WorkflowDefinition } from '../schema'
import {
  array,
  arrow,
  call,
  chain,
  concat,
  isVariableName,
  jsonLiteral,
  member,
  object,
  pair,
  print,
  propertyKey,
  stringLiteral,
  text,
  type Code,
} from './code-layout'
import { zodCode } from './zod-code'

/** Options of {@link generateCode}.
 *
 * @example
 * ```ts
 * const options: GenerateCodeOptions = { registryModule: './components', exportName: 'review' }
 * ```
 */
export interface GenerateCodeOptions {
  /**
   * The module the generated code imports the host's components from: `steps` (steps by id),
   * `workflows` (committed child workflows by id), `functions` (inline functions by their
   * registered id), `connectors` (connectors by id, for `action` nodes) and `agents` (agents by
   * id, for `agent` nodes). Default
   * `'./registry'`.
   */
  registryModule?: string
  /** The package `createWorkflow` comes from. Default `'@tessera/core'`. */
  corePackage?: string
  /** The name of the exported workflow constant. Default: the workflow id in camelCase. */
  exportName?: string
}

type Retry = NonNullable<Extract<DefinitionNode, { type: 'step' }>['retry']>
type Reference = { function?: string; expression?: string }

/** Node ids the builder takes (`options.id`, `asNode`, `nodeId`): the definition's own rule. */
const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,299}$/
const noRetry: Retry = {
  attempts: 1,
  type: 'exponential',
  initialMs: 100,
  maxMs: 30_000,
  factor: 2,
  jitter: true,
}
/** Node kinds whose automatic ids always get a `-1`, `-2`… suffix (see the builder). */
const numbered = new Set(['map', 'branch', 'parallel', 'foreach', 'loop'])

/**
 * Writes a workflow definition as formatted TypeScript that rebuilds it with the fluent builder:
 * `createWorkflow({ … })` then one call per node, ending in `.commit()`. Run, the module's
 * workflow has the same definition again, `version` included, when its `steps`, `workflows` and
 * `functions` are the ones the definition was made with.
 *
 * Steps, child workflows and inline functions are not code the definition holds: the generated
 * module imports them by registry id from `options.registryModule`, which the host writes once
 * (`export const steps = { 'fetch-order': fetchOrder }`, …). Typed records there keep the chain
 * typed under `tsc --strict`. Input, output, event and approval JSON Schemas become zod code.
 *
 * Throws {@link DefinitionError} when the definition is invalid, or has shapes the builder cannot
 * write (a sequence nested in a parallel, a branch or a loop; a code node outside the top level;
 * a node id the builder refuses), each with its JSON path.
 *
 * @example
 * ```ts
 * const source = generateCode(workflow.definition, { registryModule: './components' })
 * // import { createWorkflow } from '@tessera/core'
 * // …
 * // export const orderReview = createWorkflow({ … }).then(steps['fetch-order']) … .commit()
 * ```
 */
export function generateCode(
  definition: WorkflowDefinition,
  options: GenerateCodeOptions = {},
): string {
  const parsed = parseDefinition(definition)
  const generator = new Generator(parsed)
  const links = generator.links()
  if (generator.issues.length > 0)
    throw new DefinitionError({ workflowId: parsed.id, issues: generator.issues })
  const head = call('createWorkflow', generator.workflowOptions())
  const exportName = options.exportName ?? camelCase(parsed.id)
  const statement = concat(
    text(`export const ${exportName} = `),
    chain(head, [...links, text('.commit()')]),
  )
  const imports = [
    importLine(
      ['createWorkflow', ...generator.builderImports].sort(),
      options.corePackage ?? '@tessera/core',
    ),
    importLine(['z'], 'zod'),
    ...(generator.registryImports.size > 0
      ? [importLine([...generator.registryImports].sort(), options.registryModule ?? './registry')]
      : []),
  ]
  const notes = generator.notes.map((note) => `// ${note}\n`).join('')
  return `${imports.join('\n')}\n\n${notes}${print(statement)}\n`
}

function importLine(names: string[], from: string): string {
  return print(
    concat(text('import '), object(names.map(text)), text(` from ${stringLiteral(from)}`)),
  )
}

/** `order-review` → `orderReview`; a prefix keeps it a valid name. */
function camelCase(id: string): string {
  const words = id.split(/[^A-Za-z0-9]+/).filter(Boolean)
  const name = words
    .map((word, index) => (index === 0 ? word : word[0]!.toUpperCase() + word.slice(1)))
    .join('')
  return isVariableName(name) && /^[A-Za-z_$]/.test(name)
    ? name
    : `workflow${name[0]?.toUpperCase() ?? ''}${name.slice(1)}`
}

function durationCode(ms: number): Code {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ]
  if (Number.isInteger(ms) && ms > 0) {
    for (const [unit, size] of units)
      if (ms % size === 0) return text(stringLiteral(`${ms / size}${unit}`))
    if (ms < 1000) return text(stringLiteral(`${ms}ms`))
  }
  return text(String(ms))
}

function retryCode(retry: Retry): Code {
  const backoff: Code[] = []
  if (retry.type !== noRetry.type) backoff.push(pair('type', text(stringLiteral(retry.type))))
  if (retry.initialMs !== noRetry.initialMs)
    backoff.push(pair('initial', durationCode(retry.initialMs)))
  if (retry.maxMs !== noRetry.maxMs) backoff.push(pair('max', durationCode(retry.maxMs)))
  if (retry.factor !== noRetry.factor) backoff.push(pair('factor', text(String(retry.factor))))
  if (retry.jitter !== noRetry.jitter) backoff.push(pair('jitter', text(String(retry.jitter))))
  return object([
    pair('attempts', text(String(retry.attempts))),
    ...(backoff.length > 0 ? [pair('backoff', object(backoff))] : []),
  ])
}

/** What the generators of a workflow and of its nested sequences share. */
interface Shared {
  issues: DefinitionIssue[]
  notes: string[]
  builderImports: Set<string>
  registryImports: Set<string>
}

/**
 * Writes the calls of one chain: the workflow's, or a nested `sequence`/`single` fragment's
 * (which shares the workflow's node ids and has its own id in derived function ids).
 */
class Generator {
  readonly issues: DefinitionIssue[]
  readonly notes: string[]
  readonly builderImports: Set<string>
  readonly registryImports: Set<string>

  constructor(
    private readonly definition: WorkflowDefinition,
    shared?: Shared,
    /** The id derived function ids start with (the builder's `state.id`). */
    private readonly chainId: string = definition.id,
    private readonly nodeIds = new Set<string>(['root']),
  ) {
    this.issues = shared?.issues ?? []
    this.notes = shared?.notes ?? []
    this.builderImports = shared?.builderImports ?? new Set()
    this.registryImports = shared?.registryImports ?? new Set()
  }

  workflowOptions(): Code {
    const { definition } = this
    const items: Code[] = [pair('id', text(stringLiteral(definition.id)))]
    if (definition.description !== undefined)
      items.push(pair('description', text(stringLiteral(definition.description))))
    items.push(pair('input', this.schema(definition.inputSchema, 'inputSchema')))
    if (definition.outputSchema)
      items.push(pair('output', this.schema(definition.outputSchema, 'outputSchema')))
    const defaults = definition.defaults
    if (defaults) {
      const entries: Code[] = []
      if (defaults.retry) entries.push(pair('retry', retryCode(defaults.retry)))
      if (defaults.timeoutMs !== undefined)
        entries.push(pair('timeout', durationCode(defaults.timeoutMs)))
      items.push(pair('defaults', object(entries)))
    }
    return object(items, true)
  }

  links(): Code[] {
    const root = this.definition.root
    if (root.type !== 'sequence' || root.id !== 'root') {
      this.unsupported('root', 'the root must be a sequence with the id "root"')
      return []
    }
    return root.children.map((node, index) => this.link(node, `root.children[${index}]`))
  }

  private schema(jsonSchema: Record<string, unknown>, path: string): Code {
    const { code, exact } = zodCode(jsonSchema)
    if (!exact)
      this.notes.push(
        `${path}: this zod schema may not convert back to exactly the JSON Schema of the definition`,
      )
    return code
  }

  private unsupported(path: string, message: string): void {
    this.issues.push({ path, message: `cannot be written with the builder: ${message}` })
  }

  /** The id the builder would give the node; an `id` option when the definition's differs. */
  private claim(node: DefinitionNode, base: string, kind: string, path: string): Code[] {
    let automatic = base
    if (this.nodeIds.has(base) || numbered.has(kind)) {
      for (let n = 1; ; n++) {
        automatic = `${base}-${n}`
        if (!this.nodeIds.has(automatic)) break
      }
    }
    this.nodeIds.add(node.id)
    if (automatic === node.id) return []
    if (!idPattern.test(node.id))
      this.unsupported(`${path}.id`, `the builder takes no node id "${node.id}"`)
    return [pair('id', text(stringLiteral(node.id)))]
  }

  private reference(reference: Reference, defaultId: string, path: string): Code {
    if (reference.expression !== undefined) {
      this.builderImports.add('expression')
      return call('expression', text(stringLiteral(reference.expression)))
    }
    const id = reference.function ?? ''
    if (id === '') this.unsupported(path, 'a reference without a function or an expression')
    this.registryImports.add('functions')
    const lookup = text(member('functions', id))
    if (id === defaultId) return lookup
    this.builderImports.add('namedFunction')
    return call('namedFunction', text(stringLiteral(id)), lookup)
  }

  /** A step or child workflow where the builder takes a runnable, its node id claimed. */
  /**
   * A node where the builder takes a step, built apart: `sequence('<id>', (chain) => chain…)`
   * for a sequence, `single((chain) => chain.<one call>)` for any other node.
   */
  private fragment(node: DefinitionNode, path: string): Code {
    const isSequence = node.type === 'sequence'
    if (isSequence) this.nodeIds.add(node.id)
    // The builder builds the chain where it is placed: its ids are claimed among this chain's.
    const inner = new Generator(
      this.definition,
      this,
      isSequence ? node.id : 'fragment',
      this.nodeIds,
    )
    const links =
      node.type === 'sequence'
        ? node.children.map((child, index) => inner.link(child, `${path}.children[${index}]`))
        : [inner.link(node, path)]
    this.builderImports.add(isSequence ? 'sequence' : 'single')
    const body = arrow('(chain)', chain(text('chain'), links, true))
    return isSequence ? call('sequence', text(stringLiteral(node.id)), body) : call('single', body)
  }

  private runnable(
    node: DefinitionNode,
    path: string,
    topLevel: boolean,
  ): { code: Code; options: Code[] } {
    if (node.type !== 'step' && node.type !== 'workflow')
      return { code: this.fragment(node, path), options: [] }
    const options: Code[] = []
    let code: Code
    if (node.type === 'step') {
      this.registryImports.add('steps')
      code = text(member('steps', node.step))
      options.push(...this.claim(node, node.step, 'node', path))
      if (node.retry) options.push(pair('retry', retryCode(node.retry)))
      if (node.timeoutMs !== undefined) options.push(pair('timeout', durationCode(node.timeoutMs)))
    } else {
      this.registryImports.add('workflows')
      code = text(member('workflows', node.workflow))
      options.push(...this.claim(node, node.workflow, 'node', path))
      if (node.version === undefined)
        this.notes.push(
          `${path}: the workflow node has no version; the code pins the version of workflows${member('', node.workflow)}`,
        )
    }
    if (topLevel || options.length === 0) return { code, options }
    this.builderImports.add('asNode')
    return { code: call('asNode', code, object(options)), options: [] }
  }

  private link(node: DefinitionNode, path: string): Code {
    const workflowId = this.chainId
    const withOptions = (name: string, args: Code[], options: Code[]) =>
      concat(text('.'), call(name, ...args, ...(options.length > 0 ? [object(options)] : [])))
    switch (node.type) {
      case 'step':
      case 'workflow': {
        const { code, options } = this.runnable(node, path, true)
        return withOptions('then', [code], options)
      }
      case 'action': {
        this.registryImports.add('connectors')
        const options = this.claim(node, `${node.connector}.${node.action}`, 'action', path)
        if (node.retry) options.push(pair('retry', retryCode(node.retry)))
        if (node.timeoutMs !== undefined)
          options.push(pair('timeout', durationCode(node.timeoutMs)))
        const args = [text(member('connectors', node.connector)), text(stringLiteral(node.action))]
        if (node.config !== undefined) args.push(jsonLiteral(node.config))
        else if (options.length > 0) args.push(text('undefined'))
        return withOptions('action', args, options)
      }
      case 'agent': {
        this.registryImports.add('agents')
        const options = this.claim(node, node.agent, 'agent', path)
        if (node.retry) options.push(pair('retry', retryCode(node.retry)))
        if (node.timeoutMs !== undefined)
          options.push(pair('timeout', durationCode(node.timeoutMs)))
        return withOptions('agent', [text(member('agents', node.agent))], options)
      }
      case 'code': {
        const id = this.claim(node, 'map', 'map', path)
        const fn = this.reference(node as Reference, `${workflowId}/${node.id}`, path)
        return withOptions('map', [fn], id)
      }
      case 'branch': {
        const id = this.claim(node, 'branch', 'branch', path)
        const cases = node.cases.map((entry, index) => {
          const when = this.reference(
            entry.when as Reference,
            `${workflowId}/${node.id}/when-${index}`,
            `${path}.cases[${index}].when`,
          )
          const then = this.runnable(entry.then, `${path}.cases[${index}].then`, false)
          return array([when, then.code])
        })
        return withOptions('branch', [array(cases)], id)
      }
      case 'parallel': {
        const id = this.claim(node, 'parallel', 'parallel', path)
        const entries = Object.entries(node.branches)
        if (entries.length === 0)
          this.unsupported(`${path}.branches`, 'a parallel node without branches')
        const branches = entries.map(([key, child]) =>
          pair(propertyKey(key), this.runnable(child, `${path}.branches.${key}`, false).code),
        )
        return withOptions('parallel', [object(branches)], id)
      }
      case 'foreach': {
        const id = this.claim(node, 'foreach', 'foreach', path)
        const body = this.runnable(node.body, `${path}.body`, false)
        const options = [
          ...(node.concurrency !== 1 ? [pair('concurrency', text(String(node.concurrency)))] : []),
          ...id,
        ]
        return withOptions('foreach', [body.code], options)
      }
      case 'loop': {
        const id = this.claim(node, 'loop', 'loop', path)
        const body = this.runnable(node.body, `${path}.body`, false)
        const until = this.reference(
          node.until as Reference,
          `${workflowId}/${node.id}/until`,
          `${path}.until`,
        )
        const options = [
          pair('until', until),
          ...(node.maxIterations !== 100
            ? [pair('maxIterations', text(String(node.maxIterations)))]
            : []),
          ...id,
        ]
        return withOptions('loop', [body.code], options)
      }
      case 'sleep': {
        const id = this.claim(node, 'sleep', 'sleep', path)
        const what = node.until
          ? object([
              pair(
                'until',
                this.reference(
                  node.until as Reference,
                  `${workflowId}/${node.id}/until`,
                  `${path}.until`,
                ),
              ),
            ])
          : durationCode(node.durationMs ?? 0)
        return withOptions('sleep', [what], id)
      }
      case 'event': {
        const id = this.claim(node, node.event.replace(/[^A-Za-z0-9_.:/-]/g, '-'), 'event', path)
        const options: Code[] = []
        if (node.schema) options.push(pair('schema', this.schema(node.schema, `${path}.schema`)))
        if (node.match)
          options.push(
            pair(
              'match',
              this.reference(
                node.match as Reference,
                `${workflowId}/${node.id}/match`,
                `${path}.match`,
              ),
            ),
          )
        if (node.timeoutMs !== undefined)
          options.push(pair('timeout', durationCode(node.timeoutMs)))
        options.push(...id)
        return withOptions('waitForEvent', [text(stringLiteral(node.event))], options)
      }
      case 'approval': {
        const options: Code[] = [pair('id', text(stringLiteral(node.approval)))]
        if (node.id !== node.approval) {
          if (!idPattern.test(node.id))
            this.unsupported(`${path}.id`, `the builder takes no node id "${node.id}"`)
          options.push(pair('nodeId', text(stringLiteral(node.id))))
        }
        this.nodeIds.add(node.id)
        if (node.schema) options.push(pair('schema', this.schema(node.schema, `${path}.schema`)))
        if (node.timeoutMs !== undefined)
          options.push(pair('timeout', durationCode(node.timeoutMs)))
        return concat(text('.'), call('approval', object(options)))
      }
      case 'sequence':
        return withOptions('then', [this.fragment(node, path)], [])
    }
  }
}
