import { InvalidArgumentError } from '@tessera/core'

/**
 * Checks a SQL store's table prefix: letters, digits and underscores, not starting with a digit
 * (or empty), at most `maxLength` characters (each database limits identifier length).
 * Throws `InvalidArgumentError`; returns the prefix.
 */
export function checkTablePrefix(fn: string, prefix: unknown, maxLength = Infinity): string {
  if (
    typeof prefix !== 'string' ||
    prefix.length > maxLength ||
    !/^(?:[A-Za-z_][A-Za-z0-9_]*)?$/.test(prefix)
  ) {
    throw new InvalidArgumentError({
      fn,
      argument: 'tablePrefix',
      expected: `letters, digits and underscores, not starting with a digit${maxLength === Infinity ? '' : `, at most ${maxLength} characters`}`,
      received: prefix,
    })
  }
  return prefix
}
