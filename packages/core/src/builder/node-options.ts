import { InvalidArgumentError } from '../errors/invalid-argument-error'
import type { Duration } from '../runtime/duration'
import type { RetryOptions } from '../runtime/retry-policy'
import type { AnyRunnable } from './workflow'

const nodeOptionsKey = Symbol.for('tessera.nodeOptions')

/** Per-node settings of a step or child workflow placed in a workflow.
 *
 * @example
 * ```ts
 * const options: NodeOptions = { id: 'fetch-again', retry: { attempts: 3 }, timeout: '10s' }
 * ```
 */
export interface NodeOptions {
  /** The node id in the definition. Default: the step's or workflow's id (`-1`, `-2`… if taken). */
  id?: string
  /** Steps only: overrides the step's own retry policy at this place of the workflow. */
  retry?: RetryOptions
  /** Steps only: overrides the step's own per-attempt time limit at this place of the workflow. */
  timeout?: Duration
}

/**
 * Places a step or child workflow with node settings (an explicit node id, a retry policy or a
 * timeout for this use only), wherever the builder takes a runnable: `.then`, `.parallel`,
 * `.branch`, `.foreach`, `.loop`. The result has the runnable's type, so the chain stays typed.
 *
 * @example
 * ```ts
 * createWorkflow({ id: 'w', input })
 *   .parallel({ a: asNode(fetchOrder, { id: 'fetch-a', timeout: '5s' }), b: fetchOrder })
 *   .commit()
 * ```
 */
export function asNode<R extends AnyRunnable>(runnable: R, options: NodeOptions): R {
  const value = runnable as AnyRunnable
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError({
      fn: 'asNode',
      argument: 'options',
      expected: 'an object with id, retry or timeout',
      received: options,
    })
  // The runnable itself is checked, and retry or timeout on a workflow refused, where the node
  // is placed (addRunnable).
  const inner =
    typeof value === 'object' && value !== null
      ? unwrapNode(value)
      : { runnable: value, options: {} }
  const merged: NodeOptions = { ...inner.options, ...options }
  return Object.freeze({
    ...inner.runnable,
    [nodeOptionsKey]: { runnable: inner.runnable, options: merged },
  }) as unknown as R
}

/** The runnable behind an {@link asNode} wrapper, and its node settings (empty when unwrapped). */
export function unwrapNode(value: AnyRunnable): { runnable: AnyRunnable; options: NodeOptions } {
  const wrapped = (value as unknown as Record<symbol, unknown>)[nodeOptionsKey] as
    { runnable: AnyRunnable; options: NodeOptions } | undefined
  return wrapped ?? { runnable: value, options: {} }
}
