import { InvalidArgumentError } from '../errors/invalid-argument-error'
import type { PurgeRunsInput } from './store-v1'

/**
 * Checks a retention request as every store must (`StoreV1.purgeRuns`): at least one rule,
 * `keepLast` a non-negative integer, `limit` from 1 to 10000. Throws `InvalidArgumentError`.
 *
 * @example
 * ```ts
 * async purgeRuns(input) {
 *   checkPurgeRunsInput(input)
 *   // …
 * }
 * ```
 */
export function checkPurgeRunsInput(input: PurgeRunsInput): void {
  if (typeof input !== 'object' || input === null) {
    throw new InvalidArgumentError({
      fn: 'purgeRuns',
      argument: 'input',
      expected: 'an object',
      received: input,
    })
  }
  if (input.endedBefore === undefined && input.keepLast === undefined) {
    throw new InvalidArgumentError({
      fn: 'purgeRuns',
      argument: 'input',
      expected: 'endedBefore, keepLast or both',
      received: input,
    })
  }
  if (input.endedBefore !== undefined && !Number.isFinite(input.endedBefore)) {
    throw new InvalidArgumentError({
      fn: 'purgeRuns',
      argument: 'endedBefore',
      expected: 'epoch milliseconds',
      received: input.endedBefore,
    })
  }
  if (input.keepLast !== undefined && (!Number.isInteger(input.keepLast) || input.keepLast < 0)) {
    throw new InvalidArgumentError({
      fn: 'purgeRuns',
      argument: 'keepLast',
      expected: 'a non-negative integer',
      received: input.keepLast,
    })
  }
  if (!Number.isInteger(input.limit) || input.limit < 1 || input.limit > 10_000) {
    throw new InvalidArgumentError({
      fn: 'purgeRuns',
      argument: 'limit',
      expected: 'an integer from 1 to 10000',
      received: input.limit,
    })
  }
}
