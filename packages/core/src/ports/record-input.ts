import { InvalidArgumentError } from '../errors/invalid-argument-error'

/**
 * The records operations of `StoreV1` (`capabilities.records`), as `checkRecordInput` names them
 * in its errors.
 *
 * @example
 * ```ts
 * const operation: RecordOperation = 'putRecord'
 * ```
 */
export type RecordOperation = 'putRecord' | 'getRecord' | 'listRecords' | 'deleteRecord'

/**
 * The longest collection name, in characters (UTF-16 code units).
 *
 * @example
 * ```ts
 * const collection = `cache:${name}`.slice(0, maxRecordCollectionLength)
 * ```
 */
export const maxRecordCollectionLength = 64

/**
 * The longest record key, in characters (UTF-16 code units): every store can key it (255
 * characters are 765 bytes of UTF-8 at most).
 *
 * @example
 * ```ts
 * const key = `${tenantId}/${documentId}`.slice(0, maxRecordKeyLength)
 * ```
 */
export const maxRecordKeyLength = 255

/**
 * The most records one `listRecords` call returns.
 *
 * @example
 * ```ts
 * const page = await store.listRecords?.({ collection: 'audit', limit: maxRecordListLimit })
 * ```
 */
export const maxRecordListLimit = 1000

/**
 * A `putRecord`, checked: the value as the JSON text to store, `now` in whole milliseconds.
 *
 * @example
 * ```ts
 * const { collection, key, json, now, expectRevision } = checkRecordInput('putRecord', input)
 * ```
 */
export interface CheckedRecordPut {
  collection: string
  key: string
  /** `JSON.stringify(value)`. */
  json: string
  now: number
  expectRevision: number | undefined
}

/**
 * A `deleteRecord`, checked.
 *
 * @example
 * ```ts
 * const { collection, key, expectRevision } = checkRecordInput('deleteRecord', input)
 * ```
 */
export interface CheckedRecordDelete {
  collection: string
  key: string
  expectRevision: number | undefined
}

/**
 * A `listRecords` query, checked, with its key range spelled out so that every store pages
 * alike: keys `>= prefix` and `< prefixEnd` (each bound only when present), and `> after`
 * (`< after` with `reverse`), in code-point order (the byte order of UTF-8).
 *
 * @example
 * ```ts
 * const { collection, prefix, prefixEnd, after, reverse, limit } = checkRecordInput('listRecords', query)
 * // SQL: key >= $prefix AND key < $prefixEnd AND key > $after ORDER BY key LIMIT $limit
 * ```
 */
export interface CheckedRecordList {
  collection: string
  /** Absent for no prefix (or an empty one). */
  prefix: string | undefined
  /**
   * The smallest string above every key that starts with `prefix` (see {@link recordPrefixEnd});
   * absent when there is none or no prefix.
   */
  prefixEnd: string | undefined
  after: string | undefined
  reverse: boolean
  limit: number
}

/**
 * Checks the input of a records operation as every store must (`StoreV1.putRecord`,
 * `getRecord`, `listRecords`, `deleteRecord`), and returns what the store uses: the value as
 * JSON text (`JSON.stringify`), `now` rounded to whole milliseconds, a list query's key range.
 * Throws `InvalidArgumentError` naming the field for an input that is not an object, a
 * `collection` that is not a string of 1–64 characters, a `key` that is not a string of 1–255
 * characters, a collection, key, `prefix` or `after` holding U+0000 or a lone surrogate (no
 * store can key those alike), a value JSON cannot hold (`undefined`, a function, a BigInt, a
 * cycle), an `expectRevision` that is not a non-negative integer, a `now` that is not a finite
 * number, a `reverse` that is not a boolean or a `limit` that is not an integer from 1 to 1000.
 *
 * @example
 * ```ts
 * async putRecord(input) {
 *   const { collection, key, json, now, expectRevision } = checkRecordInput('putRecord', input)
 *   // … write `json` atomically, comparing the revision when `expectRevision` is a number
 * }
 * ```
 */
export function checkRecordInput(
  operation: 'putRecord',
  input: { collection: string; key: string; value: unknown; now: number; expectRevision?: number },
): CheckedRecordPut
export function checkRecordInput(
  operation: 'deleteRecord',
  input: { collection: string; key: string; expectRevision?: number },
): CheckedRecordDelete
export function checkRecordInput(
  operation: 'getRecord',
  input: { collection: string; key: string },
): { collection: string; key: string }
export function checkRecordInput(
  operation: 'listRecords',
  input: {
    collection: string
    prefix?: string
    after?: string
    reverse?: boolean
    limit: number
  },
): CheckedRecordList
export function checkRecordInput(
  operation: RecordOperation,
  input: unknown,
):
  CheckedRecordPut | CheckedRecordDelete | CheckedRecordList | { collection: string; key: string } {
  if (typeof input !== 'object' || input === null) {
    throw new InvalidArgumentError({
      fn: operation,
      argument: 'input',
      expected: 'an object',
      received: input,
    })
  }
  const fields = input as Record<string, unknown>
  const collection = checkName(
    operation,
    'collection',
    fields.collection,
    1,
    maxRecordCollectionLength,
  )
  if (operation === 'listRecords') return checkList(collection, fields)
  const key = checkName(operation, 'key', fields.key, 1, maxRecordKeyLength)
  if (operation === 'getRecord') return { collection, key }
  const expectRevision = fields.expectRevision
  if (
    expectRevision !== undefined &&
    (typeof expectRevision !== 'number' ||
      !Number.isSafeInteger(expectRevision) ||
      expectRevision < 0)
  ) {
    throw new InvalidArgumentError({
      fn: operation,
      argument: 'expectRevision',
      expected: 'a non-negative integer (0: the record must not exist) or undefined',
      received: expectRevision,
    })
  }
  if (operation === 'deleteRecord') return { collection, key, expectRevision }
  const now = fields.now
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new InvalidArgumentError({
      fn: operation,
      argument: 'now',
      expected: 'epoch milliseconds (a finite number)',
      received: now,
    })
  }
  return { collection, key, json: jsonOf(fields.value), now: Math.round(now), expectRevision }
}

/**
 * The smallest string above every string that starts with `prefix`, in code-point order (the
 * byte order of UTF-8 that every store sorts keys in), or `undefined` when there is none (an
 * empty prefix, or one of U+10FFFF only). Stores match a prefix as `key >= prefix AND key <
 * recordPrefixEnd(prefix)` instead of `LIKE`, whose `%` and `_` would need escaping.
 *
 * @example
 * ```ts
 * recordPrefixEnd('user:') // 'user;'
 * recordPrefixEnd('a\u{10FFFF}') // 'b'
 * ```
 */
export function recordPrefixEnd(prefix: string): string | undefined {
  const points = Array.from(prefix, (character) => character.codePointAt(0) ?? 0)
  while (points.length > 0) {
    const last = points.pop() ?? 0
    if (last < 0x10ffff) {
      points.push(last + 1 === 0xd800 ? 0xe000 : last + 1)
      return String.fromCodePoint(...points)
    }
  }
  return undefined
}

/**
 * Compares two record keys in code-point order (the byte order of their UTF-8), as every store
 * sorts them; JavaScript's `<` compares UTF-16 code units, which puts U+E000–U+FFFF after the
 * astral characters.
 *
 * @example
 * ```ts
 * keys.sort(compareRecordKeys)
 * ```
 */
export function compareRecordKeys(left: string, right: string): number {
  const length = Math.min(left.length, right.length)
  for (let index = 0; index < length; index++) {
    const a = left.charCodeAt(index)
    const b = right.charCodeAt(index)
    if (a === b) continue
    // A surrogate starts an astral character (U+10000 and up): above any other code unit.
    const aSurrogate = a >= 0xd800 && a <= 0xdfff
    const bSurrogate = b >= 0xd800 && b <= 0xdfff
    if (aSurrogate !== bSurrogate) return aSurrogate ? 1 : -1
    return a - b
  }
  return left.length - right.length
}

function checkList(collection: string, fields: Record<string, unknown>): CheckedRecordList {
  const operation = 'listRecords'
  const prefix =
    fields.prefix === undefined
      ? undefined
      : checkName(operation, 'prefix', fields.prefix, 0, maxRecordKeyLength)
  const after =
    fields.after === undefined
      ? undefined
      : checkName(operation, 'after', fields.after, 0, maxRecordKeyLength)
  const reverse = fields.reverse
  if (reverse !== undefined && typeof reverse !== 'boolean') {
    throw new InvalidArgumentError({
      fn: operation,
      argument: 'reverse',
      expected: 'a boolean or undefined',
      received: reverse,
    })
  }
  const limit = fields.limit
  if (
    typeof limit !== 'number' ||
    !Number.isInteger(limit) ||
    limit < 1 ||
    limit > maxRecordListLimit
  ) {
    throw new InvalidArgumentError({
      fn: operation,
      argument: 'limit',
      expected: `an integer from 1 to ${maxRecordListLimit}`,
      received: limit,
    })
  }
  const effectivePrefix = prefix === '' ? undefined : prefix
  return {
    collection,
    prefix: effectivePrefix,
    prefixEnd: effectivePrefix === undefined ? undefined : recordPrefixEnd(effectivePrefix),
    after,
    reverse: reverse === true,
    limit,
  }
}

/** Matches a lone surrogate, which UTF-8 (and so no store) cannot hold. */
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

function checkName(
  operation: RecordOperation,
  argument: string,
  value: unknown,
  min: number,
  max: number,
): string {
  if (typeof value !== 'string' || value.length < min || value.length > max) {
    throw new InvalidArgumentError({
      fn: operation,
      argument,
      expected: `a ${min > 0 ? 'non-empty ' : ''}string of at most ${max} characters`,
      received: value,
    })
  }
  if (value.includes('\u0000') || loneSurrogate.test(value)) {
    throw new InvalidArgumentError({
      fn: operation,
      argument,
      expected: 'a string without U+0000 or lone surrogates (UTF-8 cannot hold them)',
      received: value,
    })
  }
  return value
}

/** The JSON text of a value, or InvalidArgumentError when JSON cannot hold it. */
function jsonOf(value: unknown): string {
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch {
    text = undefined
  }
  if (typeof text !== 'string') {
    throw new InvalidArgumentError({
      fn: 'putRecord',
      argument: 'value',
      expected: 'a value JSON can hold (not undefined, a function, a BigInt or a cycle)',
      received: value,
    })
  }
  return text
}
