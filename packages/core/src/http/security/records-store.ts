import { InvalidArgumentError } from '../../errors/invalid-argument-error'
import type { StoreV1 } from '../../ports/store-v1'

/** A store that keeps records (`capabilities.records`), with every records method present. */
export type RecordsStore = StoreV1 &
  Required<Pick<StoreV1, 'putRecord' | 'getRecord' | 'listRecords' | 'deleteRecord'>>

/**
 * `store`, checked to keep records; otherwise `InvalidArgumentError` naming `fn`, the store's
 * provider and `capabilities.records`.
 */
export function requireRecords(store: StoreV1, fn: string): RecordsStore {
  const methods = ['putRecord', 'getRecord', 'listRecords', 'deleteRecord'] as const
  if (
    typeof store !== 'object' ||
    store === null ||
    store.capabilities?.records !== true ||
    methods.some((method) => typeof store[method] !== 'function')
  ) {
    const provider = typeof store?.provider === 'string' ? store.provider : 'unknown'
    throw new InvalidArgumentError({
      fn,
      argument: 'store',
      expected: `a store with capabilities.records and putRecord/getRecord/listRecords/deleteRecord (the "${provider}" store does not keep records)`,
      received: store?.capabilities?.records,
    })
  }
  return store as RecordsStore
}
