import { compareRecordKeys } from '../ports/record-input'

/** The most keys one chunk holds before it is split in two. */
const chunkLimit = 512

/**
 * @internal Distinct keys in code-point order (the order of every store's record listing), kept
 * in chunks of at most 512 keys. One sorted array moved half its keys on every insert in the
 * middle: a collection whose new keys fall anywhere (the audit trail's index, by actor or
 * resource) then cost O(n) per write (the move alone: 6.3 µs per insert on average while
 * growing to 150,000 keys, 12 µs at the end; a whole `putRecord` with chunks: 2.7 µs). A
 * chunked list moves at most one chunk, plus the chunk list's own entries (n / 256 at most)
 * when a chunk splits or empties.
 */
export class SortedKeys {
  #chunks: string[][] = []
  #size = 0

  get size(): number {
    return this.#size
  }

  /** Adds `key`; false (and nothing changed) when it is there already. */
  insert(key: string): boolean {
    const chunks = this.#chunks
    if (chunks.length === 0) {
      chunks.push([key])
      this.#size = 1
      return true
    }
    // The first chunk whose last key is at or above `key`, or the last chunk.
    const at = Math.min(this.#chunkAbove(key, true), chunks.length - 1)
    const chunk = chunks[at]!
    const index = firstAbove(chunk, key, true)
    if (index < chunk.length && chunk[index] === key) return false
    chunk.splice(index, 0, key)
    this.#size++
    if (chunk.length > chunkLimit) chunks.splice(at + 1, 0, chunk.splice(chunk.length >>> 1))
    return true
  }

  /** Removes `key`; false when it is not there. */
  delete(key: string): boolean {
    const at = this.#chunkAbove(key, true)
    const chunk = this.#chunks[at]
    if (chunk === undefined) return false
    const index = firstAbove(chunk, key, true)
    if (chunk[index] !== key) return false
    chunk.splice(index, 1)
    this.#size--
    if (chunk.length === 0) this.#chunks.splice(at, 1)
    return true
  }

  /** The position of the first key above `key` (at or above it when `inclusive`). */
  firstAbove(key: string, inclusive: boolean): number {
    const chunks = this.#chunks
    const at = this.#chunkAbove(key, inclusive)
    let position = 0
    for (let index = 0; index < at; index++) position += chunks[index]!.length
    return at === chunks.length ? position : position + firstAbove(chunks[at]!, key, inclusive)
  }

  /**
   * Up to `limit` keys of the positions [start, end): from `start` up, or from `end - 1` down
   * when `reverse`.
   */
  range(start: number, end: number, reverse: boolean, limit: number): string[] {
    const found: string[] = []
    if (start >= end || limit <= 0) return found
    const chunks = this.#chunks
    // The chunk holding the first position to read, and that position within it.
    const first = reverse ? end - 1 : start
    let at = 0
    let offset = first
    while (offset >= chunks[at]!.length) offset -= chunks[at++]!.length
    let left = Math.min(limit, end - start)
    while (left > 0) {
      const chunk = chunks[at]!
      if (reverse) {
        for (; offset >= 0 && left > 0; offset--, left--) found.push(chunk[offset]!)
        offset = at > 0 ? chunks[--at]!.length - 1 : -1
      } else {
        for (; offset < chunk.length && left > 0; offset++, left--) found.push(chunk[offset]!)
        at++
        offset = 0
      }
    }
    return found
  }

  /**
   * The index of the first chunk whose last key is above `key` (at or above it when
   * `inclusive`); the count of chunks when there is none.
   */
  #chunkAbove(key: string, inclusive: boolean): number {
    const chunks = this.#chunks
    let low = 0
    let high = chunks.length
    while (low < high) {
      const middle = (low + high) >>> 1
      const chunk = chunks[middle]!
      const order = compareRecordKeys(chunk[chunk.length - 1]!, key)
      if (order < 0 || (!inclusive && order === 0)) low = middle + 1
      else high = middle
    }
    return low
  }
}

/** The index of the first of the sorted `keys` above `key` (at or above it when `inclusive`). */
function firstAbove(keys: readonly string[], key: string, inclusive: boolean): number {
  let low = 0
  let high = keys.length
  while (low < high) {
    const middle = (low + high) >>> 1
    const order = compareRecordKeys(keys[middle]!, key)
    if (order < 0 || (!inclusive && order === 0)) low = middle + 1
    else high = middle
  }
  return low
}
