import { ConnectorError } from '@tessera/core'

/** The SQL dialect whose quoting and comment rules {@link findSecondStatement} follows. */
export type SqlDialect = 'postgres' | 'mysql'

/**
 * The offset of the first character of a second statement in `sql`, or -1 when `sql` holds one
 * statement (an optional trailing `;`, whitespace and comments allowed after it). Semicolons
 * inside string literals, quoted identifiers, comments and (PostgreSQL) dollar-quoted bodies do
 * not count. The SQL connectors refuse a second statement before sending anything; the server
 * refuses it too (extended protocol, `multipleStatements: false`).
 *
 * @example
 * ```ts
 * findSecondStatement("SELECT ';' AS a;", 'postgres') // -1
 * findSecondStatement('SELECT 1; DROP TABLE users', 'postgres') // 10
 * ```
 */
export function findSecondStatement(sql: string, dialect: SqlDialect): number {
  let index = 0
  let ended = false
  const length = sql.length
  while (index < length) {
    const char = sql[index]!
    const next = sql[index + 1]
    if (/\s/.test(char)) {
      index++
      continue
    }
    // MySQL needs a space after "--" for a comment ("1--1" is arithmetic there).
    if (
      char === '-' &&
      next === '-' &&
      (dialect === 'postgres' || /^\s?$/.test(sql[index + 2] ?? ''))
    ) {
      index = lineEnd(sql, index)
      continue
    }
    if (dialect === 'mysql' && char === '#') {
      index = lineEnd(sql, index)
      continue
    }
    // MySQL runs the body of an executable comment ("/*!50000 … */") as SQL.
    if (dialect === 'mysql' && char === '/' && next === '*' && sql[index + 2] === '!') {
      index += 3
      continue
    }
    if (char === '/' && next === '*') {
      index = blockCommentEnd(sql, index, dialect === 'postgres')
      continue
    }
    if (ended) return index
    if (char === ';') {
      ended = true
      index++
      continue
    }
    if (char === "'" || char === '"' || (dialect === 'mysql' && char === '`')) {
      const backslashEscapes =
        dialect === 'mysql' ? char !== '`' : char === "'" && /[eE]/.test(sql[index - 1] ?? '')
      index = quotedEnd(sql, index, char, backslashEscapes)
      continue
    }
    if (dialect === 'postgres' && char === '$') {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(index))
      if (tag !== null && !/[A-Za-z0-9_]/.test(sql[index - 1] ?? '')) {
        const close = sql.indexOf(tag[0], index + tag[0].length)
        index = close === -1 ? length : close + tag[0].length
        continue
      }
    }
    index++
  }
  return -1
}

/**
 * Throws an `invalid-request` {@link ConnectorError} when `sql` holds more than one statement
 * (see {@link findSecondStatement}), saying where the second one starts; `where` (such as
 * "statement 2") prefixes the message.
 *
 * @example
 * ```ts
 * assertSingleStatement({ connector: 'postgres', action: 'query', dialect: 'postgres' }, input.sql)
 * ```
 */
export function assertSingleStatement(
  context: { connector: string; action: string; dialect: SqlDialect },
  sql: string,
  where?: string,
): void {
  const second = findSecondStatement(sql, context.dialect)
  if (second === -1) return
  throw new ConnectorError({
    connector: context.connector,
    action: context.action,
    reason: 'invalid-request',
    message: `${where === undefined ? '' : `${where}: `}expected one SQL statement, but a second one starts at character ${second + 1}; use the transaction action for several`,
  })
}

function lineEnd(sql: string, from: number): number {
  const end = sql.indexOf('\n', from)
  return end === -1 ? sql.length : end + 1
}

function blockCommentEnd(sql: string, from: number, nested: boolean): number {
  let depth = 0
  let index = from
  while (index < sql.length) {
    if (sql[index] === '/' && sql[index + 1] === '*' && (nested || depth === 0)) {
      depth++
      index += 2
    } else if (sql[index] === '*' && sql[index + 1] === '/') {
      depth--
      index += 2
      if (depth === 0) return index
    } else index++
  }
  return sql.length
}

function quotedEnd(sql: string, from: number, quote: string, backslashEscapes: boolean): number {
  let index = from + 1
  while (index < sql.length) {
    const char = sql[index]
    if (backslashEscapes && char === '\\') index += 2
    else if (char === quote) {
      if (sql[index + 1] === quote) index += 2
      else return index + 1
    } else index++
  }
  return sql.length
}
