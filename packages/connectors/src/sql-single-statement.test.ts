import { describe, expect, it } from 'vitest'
import { findSecondStatement } from './sql-single-statement'

describe('findSecondStatement', () => {
  it.each([
    ['SELECT 1', 'postgres'],
    ['SELECT 1;', 'postgres'],
    ['SELECT 1 ;  -- done\n /* really; */', 'postgres'],
    ['SELECT \'a;b\', "c;d" FROM t', 'postgres'],
    ["SELECT E'it\\'s; fine'", 'postgres'],
    ["SELECT 'it''s; fine'", 'postgres'],
    ['SELECT $tag$ ; $tag$, $$;$$', 'postgres'],
    ['SELECT /* a /* nested ; */ still */ 1', 'postgres'],
    ["SELECT 'it\\'s; fine', `a;b` # c;\n", 'mysql'],
    ['SELECT 1; -- trailing comment', 'mysql'],
  ] as const)('finds one statement in %j (%s)', (sql, dialect) => {
    expect(findSecondStatement(sql, dialect)).toBe(-1)
  })

  it.each([
    ['SELECT 1; DROP TABLE users', 'postgres', 10],
    ["SELECT ';'; SELECT 2", 'postgres', 12],
    ['SELECT 1;;', 'postgres', 9],
    ["SELECT 'a\\'; DROP TABLE t; --'", 'postgres', 13],
    ["SELECT 'a\\'; DROP TABLE t; --'", 'mysql', -1],
    ['SELECT 1 /* x */; SELECT 2', 'mysql', 18],
    ['SELECT $1; SELECT 2', 'postgres', 11],
    ['SELECT 1--1; DROP TABLE t', 'mysql', 13],
    ['SELECT 1 /*!; DROP TABLE t */', 'mysql', 14],
  ] as const)('finds the second statement of %j (%s) at %i', (sql, dialect, at) => {
    expect(findSecondStatement(sql, dialect)).toBe(at)
  })
})
