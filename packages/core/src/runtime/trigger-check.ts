import { assertId } from '../builder/step'
import { InvalidArgumentError } from '../errors/invalid-argument-error'
import type { TriggerV1 } from '../ports/trigger-v1'

/**
 * Checks that `candidate` is a {@link TriggerV1} with a valid id. Kept apart from the trigger
 * machinery (`./triggers`, loaded on first use) so that `createEngine` can refuse a bad trigger
 * synchronously.
 */
export function checkTrigger(fn: string, candidate: unknown): TriggerV1 {
  const trigger = candidate as TriggerV1
  if (
    typeof trigger !== 'object' ||
    trigger === null ||
    trigger.kind !== 'trigger' ||
    trigger.specificationVersion !== 'v1' ||
    typeof trigger.start !== 'function' ||
    (trigger.workflow as { kind?: unknown } | undefined)?.kind !== 'workflow'
  ) {
    throw new InvalidArgumentError({
      fn,
      argument: 'trigger',
      expected: 'a TriggerV1 (such as cronTrigger() from @tessera/connectors/triggers)',
      received: candidate,
    })
  }
  assertId(fn, 'trigger.id', trigger.id)
  return trigger
}
