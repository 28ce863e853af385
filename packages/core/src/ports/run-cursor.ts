import { InvalidArgumentError } from '../errors/invalid-argument-error'

/**
 * The keyset cursor of `listRuns` pages: the last row's `(createdAt, id)` as base64url JSON. Every
 * store uses the same format, so a cursor means the same thing whatever the store.
 *
 * @example
 * ```ts
 * const nextCursor = encodeRunCursor(page[page.length - 1])
 * ```
 */
export function encodeRunCursor(run: { createdAt: number; id: string }): string {
  return btoa(JSON.stringify([run.createdAt, run.id]))
    .replace(/=+$/, '')
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
}

/**
 * Reads a cursor made by {@link encodeRunCursor}; throws `InvalidArgumentError` for anything
 * else.
 *
 * @example
 * ```ts
 * const after = query.cursor === undefined ? undefined : decodeRunCursor(query.cursor)
 * ```
 */
export function decodeRunCursor(cursor: unknown): { createdAt: number; id: string } {
  if (typeof cursor === 'string') {
    try {
      const [createdAt, id] = JSON.parse(atob(cursor.replace(/-/g, '+').replace(/_/g, '/'))) as [
        unknown,
        unknown,
      ]
      if (typeof createdAt === 'number' && typeof id === 'string') return { createdAt, id }
    } catch {
      // not base64 or not JSON: reported below
    }
  }
  throw new InvalidArgumentError({
    fn: 'listRuns',
    argument: 'cursor',
    expected: 'a nextCursor returned by listRuns',
    received: cursor,
  })
}
