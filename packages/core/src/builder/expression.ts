import { expressionMaxLength } from '../definition/schema'
import { InvalidArgumentError } from '../errors/invalid-argument-error'

const expressionKey = Symbol.for('tessera.builderExpression')

/**
 * A JSONata expression (https://jsonata.org) where the builder takes an inline function: a
 * `.map`, a `.branch` condition, a `.loop` or `.sleep` `until`, a `.waitForEvent` `match`. The
 * definition holds the expression itself (`{ expression: 'total > 1000' }`) instead of a
 * registered function id, so a definition edited in the designer needs no code. `$` is the
 * node's input (a loop's `until`: the iteration's output). The engine evaluates it; calling the
 * returned function directly throws. `T` types the value for the rest of the chain.
 *
 * @example
 * ```ts
 * createWorkflow({ id: 'w', input: order })
 *   .branch([[expression('total > 1000'), bigOrder], [expression('true'), smallOrder]])
 *   .map(expression<string[]>('lineItems.sku'))
 *   .commit()
 * ```
 */
export function expression<T = any>(source: string): (args: any) => T {
  if (
    typeof source !== 'string' ||
    source.trim().length === 0 ||
    source.length > expressionMaxLength
  ) {
    throw new InvalidArgumentError({
      fn: 'expression',
      argument: 'source',
      expected: `a JSONata expression of 1 to ${expressionMaxLength} characters`,
      received: source,
    })
  }
  const fn = () => {
    throw new InvalidArgumentError({
      fn: 'expression',
      argument: 'call',
      expected: 'no direct call (the engine evaluates it)',
      received: source,
    })
  }
  Object.defineProperty(fn, expressionKey, { value: source })
  return fn
}

/** The expression source behind a function made by {@link expression}, if it is one. */
export function expressionSource(fn: unknown): string | undefined {
  return typeof fn === 'function'
    ? ((fn as unknown as Record<symbol, unknown>)[expressionKey] as string | undefined)
    : undefined
}
