import { canonicalJson } from '../definition/content-hash'
import type { TaskWait } from './store-v1'

/**
 * The fields an event wait matches on, as a store keeps them in one column: the sorted field
 * names as a JSON array (`'["orderId"]'`, or `'[]'` for a wait that takes any event of its name).
 * Stores index waits by `(name, matchKey)` and group them by `matchFields`.
 *
 * @example
 * ```ts
 * waitMatchFields({ orderId: 'A1', region: 'eu' }) // '["orderId","region"]'
 * ```
 */
export function waitMatchFields(match: TaskWait['match']): string {
  return JSON.stringify(Object.keys(match ?? {}).sort())
}

/**
 * The key an event wait is found by: its `match` as canonical JSON (`'{}'` for none).
 *
 * @example
 * ```ts
 * waitMatchKey({ orderId: 'A1' }) // '{"orderId":"A1"}'
 * ```
 */
export function waitMatchKey(match: TaskWait['match']): string {
  return canonicalJson(match ?? {})
}

/**
 * The key an event payload has for one set of match fields (a `waitMatchFields` value): the
 * payload's values of those fields as canonical JSON, or `undefined` when the payload lacks one
 * of them (then no wait with these fields can match). Equal to `waitMatchKey` of every wait the
 * payload satisfies; this is how a store finds the waits of an event with indexed lookups only.
 *
 * @example
 * ```ts
 * eventMatchKey({ orderId: 'A1', amount: 5 }, '["orderId"]') // '{"orderId":"A1"}'
 * ```
 */
export function eventMatchKey(payload: unknown, matchFields: string): string | undefined {
  const fields = JSON.parse(matchFields) as string[]
  if (fields.length === 0) return '{}'
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined
  const projection: Record<string, unknown> = {}
  for (const field of fields) {
    if (!Object.prototype.hasOwnProperty.call(payload, field)) return undefined
    const value = (payload as Record<string, unknown>)[field]
    if (value === undefined) return undefined
    projection[field] = value
  }
  return canonicalJson(projection)
}

/** Whether an event payload satisfies a wait's `match` (what the indexed lookups compute). */
export function eventMatchesWait(payload: unknown, wait: TaskWait): boolean {
  return eventMatchKey(payload, waitMatchFields(wait.match)) === waitMatchKey(wait.match)
}
