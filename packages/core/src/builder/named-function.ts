import { ConflictError } from '../errors/conflict-error'
import { InvalidArgumentError } from '../errors/invalid-argument-error'
import type { Callable } from '../definition/schema'
import { expressionSource } from './expression'
import type { InlineFunction } from './workflow'

const functionIdKey = Symbol.for('tessera.functionId')

/**
 * Gives an inline function (of `.map`, a `.branch` condition, a `.loop` or `.sleep` `until`, a
 * `.waitForEvent` `match`) the id it has in the definition, instead of the id the builder derives
 * from the node (`<workflow>/<node>`, `<workflow>/<node>/when-0`, …). Generated code uses it to
 * rebuild definitions whose functions are registered under other ids. The returned function
 * calls `fn`; the workflow keeps `fn` itself (so its source, and the version, are unchanged).
 *
 * @example
 * ```ts
 * const isBig = namedFunction('shared/is-big', ({ input }: { input: Order }) => input.total > 1000)
 * createWorkflow({ id: 'w', input }).branch([[isBig, bigOrder], [() => true, smallOrder]])
 * ```
 */
export function namedFunction<F extends InlineFunction>(id: string, fn: F): F {
  if (typeof id !== 'string' || id.length === 0) {
    throw new InvalidArgumentError({
      fn: 'namedFunction',
      argument: 'id',
      expected: 'a non-empty string',
      received: id,
    })
  }
  if (typeof fn !== 'function') {
    throw new InvalidArgumentError({
      fn: 'namedFunction',
      argument: 'fn',
      expected: 'a function',
      received: fn,
    })
  }
  const original = functionEntry(fn, id).fn
  const named = ((args: unknown) => original(args)) as F
  Object.defineProperty(named, functionIdKey, { value: { id, fn: original } })
  return named
}

/** The id and function to record for `fn`: its {@link namedFunction} id, else `defaultId`. */
export function functionEntry(
  fn: InlineFunction,
  defaultId: string,
): { id: string; fn: InlineFunction } {
  const named = (fn as unknown as Record<symbol, unknown>)[functionIdKey] as
    { id: string; fn: InlineFunction } | undefined
  return named ?? { id: defaultId, fn }
}

/**
 * What the definition holds for an inline function the builder got, and the functions to
 * record: `{ expression }` for an {@link expression}, else `{ function: id }` and the function.
 */
export function callableEntry(
  fn: InlineFunction,
  defaultId: string,
): { reference: Callable; functions: [string, InlineFunction][] } {
  const source = expressionSource(fn)
  if (source !== undefined) return { reference: { expression: source }, functions: [] }
  const entry = functionEntry(fn, defaultId)
  return { reference: { function: entry.id }, functions: [[entry.id, entry.fn]] }
}

/**
 * `functions` plus `entries`; throws {@link ConflictError} when an id is already taken by a
 * different function (two `namedFunction`s, or one named like a derived id).
 */
export function withFunctions(
  workflowId: string,
  functions: ReadonlyMap<string, InlineFunction>,
  entries: Iterable<[string, InlineFunction]>,
): Map<string, InlineFunction> {
  const next = new Map(functions)
  for (const [id, fn] of entries) {
    const known = next.get(id)
    if (known !== undefined && known !== fn)
      throw new ConflictError(
        `Workflow "${workflowId}" uses two different functions with the id "${id}"`,
      )
    next.set(id, fn)
  }
  return next
}
