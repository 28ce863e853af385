import { checkRecordInput } from '../ports/record-input'
import type { StoredRecord, StoreV1 } from '../ports/store-v1'
import { SortedKeys } from './sorted-keys'

/** One record: its value as JSON text, as a durable store keeps it (reads are copies). */
interface RecordState {
  json: string
  revision: number
  createdAt: number
  updatedAt: number
}

/** One collection: its records by key, and the keys in code-point order for listing. */
interface CollectionState {
  records: Map<string, RecordState>
  keys: SortedKeys
}

/** The records methods of a store (see `StoreV1.putRecord` and the rest). */
export type RecordMethods = Required<
  Pick<StoreV1, 'putRecord' | 'getRecord' | 'listRecords' | 'deleteRecord'>
>

/**
 * The memory store's keyed records: kept until deleted or the store is closed. Values are kept
 * as JSON text, so they read back as from a durable store; keys sort in code-point order (the
 * byte order of UTF-8), as in every other store. `checkOpen` throws once the store is closed.
 */
export function createMemoryRecords(checkOpen: () => void): RecordMethods {
  const collections = new Map<string, CollectionState>()

  const read = (collection: string, key: string, state: RecordState): StoredRecord => ({
    collection,
    key,
    value: JSON.parse(state.json) as unknown,
    revision: state.revision,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  })

  return {
    async putRecord(input) {
      checkOpen()
      const { collection, key, json, now, expectRevision } = checkRecordInput('putRecord', input)
      let entries = collections.get(collection)
      const current = entries?.records.get(key)
      if (expectRevision !== undefined && (current?.revision ?? 0) !== expectRevision) {
        return current
          ? { status: 'conflict', current: read(collection, key, current) }
          : { status: 'conflict' }
      }
      if (current) {
        current.json = json
        current.revision += 1
        current.updatedAt = now
        return { status: 'written', record: read(collection, key, current) }
      }
      if (!entries) {
        entries = { records: new Map(), keys: new SortedKeys() }
        collections.set(collection, entries)
      }
      const state: RecordState = { json, revision: 1, createdAt: now, updatedAt: now }
      entries.records.set(key, state)
      entries.keys.insert(key)
      return { status: 'written', record: read(collection, key, state) }
    },

    async getRecord(input) {
      checkOpen()
      const { collection, key } = checkRecordInput('getRecord', input)
      const state = collections.get(collection)?.records.get(key)
      return state ? read(collection, key, state) : undefined
    },

    async listRecords(query) {
      checkOpen()
      const { collection, prefix, prefixEnd, after, reverse, limit } = checkRecordInput(
        'listRecords',
        query,
      )
      const entries = collections.get(collection)
      if (!entries) return []
      const { keys } = entries
      // The index range [start, end) of keys >= prefix, < prefixEnd and beyond `after`.
      let start = prefix === undefined ? 0 : keys.firstAbove(prefix, true)
      let end = prefixEnd === undefined ? keys.size : keys.firstAbove(prefixEnd, true)
      if (after !== undefined) {
        if (reverse) end = Math.min(end, keys.firstAbove(after, true))
        else start = Math.max(start, keys.firstAbove(after, false))
      }
      return keys
        .range(start, end, reverse, limit)
        .map((key) => read(collection, key, entries.records.get(key) as RecordState))
    },

    async deleteRecord(input) {
      checkOpen()
      const { collection, key, expectRevision } = checkRecordInput('deleteRecord', input)
      const entries = collections.get(collection)
      const current = entries?.records.get(key)
      if (!entries || !current) return false
      if (expectRevision !== undefined && current.revision !== expectRevision) return false
      entries.records.delete(key)
      entries.keys.delete(key)
      if (entries.records.size === 0) collections.delete(collection)
      return true
    },
  }
}
