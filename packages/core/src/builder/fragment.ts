import type { DefinitionNode } from '../definition/schema'
import { InvalidArgumentError } from '../errors/invalid-argument-error'
import type { Step } from './step'
import { WorkflowBuilder, type BuilderState } from './workflow-builder'

const fragmentKey = Symbol.for('tessera.fragment')

/** What {@link sequence} and {@link single} hold: the node and what its chain collected. */
export interface Fragment {
  node: DefinitionNode
  state: BuilderState
}

/** A chain built apart, placed where a step would be. */
export type FragmentBuild<TOut> = (
  chain: WorkflowBuilder<string, any, any, undefined>,
) => WorkflowBuilder<string, any, TOut, any>

/**
 * A sequence of nodes, built with the same chain methods, placed where the builder takes a step:
 * a branch case, a parallel branch, the body of a foreach or a loop (or `.then`). The chain
 * starts untyped (`any`); its last output types what follows. Node ids inside are derived as in
 * a workflow of their own, and must not clash with the enclosing workflow's.
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
 * in {@link sequence}; the chain must add exactly one node.
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
  const where = one ? 'single' : `sequence("${id}")`
  if (typeof id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,299}$/.test(id))
    throw new InvalidArgumentError({
      fn: 'sequence',
      argument: 'id',
      expected: 'a node id',
      received: id,
    })
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
    nodeIds: new Set(one ? ['root'] : ['root', id]),
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
  return Object.freeze({ kind: 'step', id, [fragmentKey]: { node, state } }) as unknown as Step<
    string,
    any,
    TOut
  >
}

/** The fragment behind a value made by {@link sequence} or {@link single}, if it is one. */
export function fragmentOf(value: unknown): Fragment | undefined {
  return typeof value === 'object' && value !== null
    ? ((value as Record<symbol, unknown>)[fragmentKey] as Fragment | undefined)
    : undefined
}
