import type { StoreV1, StoredRecord } from '@tessera/core'

/**
 * The store collection where cron and poll triggers keep their state: one record per trigger,
 * `cron:<id>` (`{ lastTick }`) or `poll:<id>` (`{ cursor }`).
 *
 * @example
 * ```ts
 * const state = await store.getRecord?.({ collection: triggerStateCollection, key: 'poll:new-issues' })
 * ```
 */
export const triggerStateCollection = 'tessera.triggers'

/** True when the store keeps keyed records (the trigger state needs them). */
export function keepsRecords(store: StoreV1): boolean {
  return (
    store.capabilities.records === true &&
    typeof store.getRecord === 'function' &&
    typeof store.putRecord === 'function'
  )
}

/** Reads a trigger's state record (`<type>:<id>`). */
export function readTriggerState(store: StoreV1, key: string): Promise<StoredRecord | undefined> {
  return store.getRecord!({ collection: triggerStateCollection, key })
}

/**
 * Writes a trigger's state if its revision is still `revision` (0: no record yet). False when
 * another worker wrote it first.
 */
export async function writeTriggerState(
  store: StoreV1,
  key: string,
  value: unknown,
  revision: number,
  now: number,
): Promise<boolean> {
  const result = await store.putRecord!({
    collection: triggerStateCollection,
    key,
    value,
    now,
    expectRevision: revision,
  })
  return result.status === 'written'
}
