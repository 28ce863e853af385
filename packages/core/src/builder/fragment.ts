import type { DefinitionNode } from '../definition/schema'
import { ConflictError } from '../errors/conflict-error'
import { InvalidArgumentError } from '../errors/invalid-argument-error'
import type { Step } from './step'
import { WorkflowBuilder, type BuilderState } from './workflow-builder'

const fragmentKey = Symbol.for('tessera.fragment')

/** What {@link sequence} and {@link single} hold: how to build the chain, once placed. */
export interface Fragment<TOut = any> {
  id: string
  one: boolean
  build: FragmentBuild<TOut>
}

/** What {@link sequence} and {@link single} take: a function that extends the chain it gets.
 *
 * @example
 * ```ts
 * const review: FragmentBuild<ApprovalDecision<unknown>> = (chain) => chain.then(audit).approval({ id: 'manager' })
 * ```
 */
export type FragmentBuild<TOut> = (
  chain: WorkflowBuilder<string, any, any, undefined>,
) => WorkflowBuilder<string, any, TOut, any>

/**
 * A sequence of nodes, built with the same chain methods, placed where the builder takes a step:
 * a branch case, a parallel branch, the body of a foreach or a loop (or `.then`). The chain
 * starts untyped (`any`); its last output types what follows. The chain is built where it is
 * placed, so node ids inside are derived among the enclosing workflow's; derived function ids
 * start with the sequence's id (`<sequence>/map-1`).
 *
 * @example
 * ```ts
 * createWorkflow({ id: 'w', input })
 *   .branch([
 *     [({ input }) => input.total > 1000, sequence('review', (chain) => chain.then(fetch).approval({ id: 'manager' }))],
 *     [() => true, ship],
 *   ])
 *   .commit()
 * ```
 */
export function sequence<TOut>(id: string, build: FragmentBuild<TOut>): Step<string, any, TOut> {
  return fragment(id, build, false)
}

/**
 * One node of any kind (an approval, a branch, a map…) placed where the builder takes a step, as
 * in {@link sequence}; the chain must add exactly one node. Derived function ids start with
 * `fragment/`.
 *
 * @example
 * ```ts
 * .parallel({ approve: single((chain) => chain.approval({ id: 'manager' })), audit: auditStep })
 * ```
 */
export function single<TOut>(build: FragmentBuild<TOut>): Step<string, any, TOut> {
  return fragment('fragment', build, true)
}

function fragment<TOut>(
  id: string,
  build: FragmentBuild<TOut>,
  one: boolean,
): Step<string, any, TOut> {
  if (typeof id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,299}$/.test(id))
    throw new InvalidArgumentError({
      fn: 'sequence',
      argument: 'id',
      expected: 'a node id',
      received: id,
    })
  return Object.freeze({ kind: 'step', id, [fragmentKey]: { id, build, one } }) as unknown as Step<
    string,
    any,
    TOut
  >
}

/**
 * Builds a fragment's chain where it is placed: its node ids are claimed among `parent`'s. The
 * returned state holds what the chain collected (steps, functions, …) and every claimed id.
 */
export function buildFragment(
  fragment: Fragment,
  parent: BuilderState,
): { node: DefinitionNode; state: BuilderState } {
  const { id, one, build } = fragment
  const where = one ? 'single' : `sequence("${id}")`
  if (!one && parent.nodeIds.has(id))
    throw new ConflictError(`Workflow "${parent.id}" already has a node with id "${id}"`)
  const start = new WorkflowBuilder<string, any, any, undefined>({
    id,
    description: undefined,
    inputSchema: undefined as never,
    outputSchema: undefined,
    defaults: undefined,
    nodes: [],
    functions: new Map(),
    schemas: new Map(),
    steps: new Map(),
    workflows: new Map(),
    nodeIds: new Set(one ? parent.nodeIds : [...parent.nodeIds, id]),
    fragment: true,
  })
  const end = typeof build === 'function' ? build(start) : undefined
  const state = end instanceof WorkflowBuilder ? end['~state'] : undefined
  if (!state || (one && state.nodes.length !== 1)) {
    throw new InvalidArgumentError({
      fn: where,
      argument: 'build',
      expected: `a function returning the chain it was given${one ? ' with exactly one node' : ''}`,
      received: state ? state.nodes : build,
    })
  }
  const node: DefinitionNode = one
    ? state.nodes[0]!
    : { type: 'sequence', id, children: [...state.nodes] }
  return { node, state }
}

/** The fragment behind a value made by {@link sequence} or {@link single}, if it is one. */
export function fragmentOf(value: unknown): Fragment | undefined {
  return typeof value === 'object' && value !== null
    ? ((value as Record<symbol, unknown>)[fragmentKey] as Fragment | undefined)
    : undefined
}
