// The SQL of the store: its fixed statements (prepared once per connection by mysql2), and the
// helpers that keep the shapes of variable-length statements bounded.
import type { MysqlTableNames } from './mysql-migrations'
import {
  runColumns,
  runInsertColumns,
  scopeColumns,
  stepColumns,
  stepInsertColumns,
  taskColumns,
  taskInsertColumns,
  taskParamCount,
} from './mysql-rows'

/** How many inbox events a wait looks at per read. */
export const inboxPageSize = 64

/** The largest number of rows or ids one statement carries; bigger sets are split. */
export const maxBatch = 256

/** Statement shapes are bounded: a list of n values is padded to the next power of two. */
function batchSize(n: number): number {
  let size = 1
  while (size < n) size *= 2
  return size
}

/** Pads a non-empty list to its batch size by repeating its last element. */
export function padded<T>(items: T[]): T[] {
  const size = batchSize(items.length)
  if (size === items.length) return items
  const out = items.slice()
  const last = items[items.length - 1]!
  while (out.length < size) out.push(last)
  return out
}

export function chunks<T>(items: T[]): T[][] {
  const out: T[][] = []
  for (let start = 0; start < items.length; start += maxBatch) {
    out.push(items.slice(start, start + maxBatch))
  }
  return out
}

export const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ')
export const rowMarks = (rows: number, columns: number) =>
  Array.from({ length: rows }, () => `(${marks(columns)})`).join(', ')

/** The fixed statements of one table prefix (mysql2 prepares each once per connection). */
export function statements(t: MysqlTableNames) {
  return {
    getRun: `SELECT ${runColumns} FROM ${t.runs} WHERE id = ?`,
    lockRun: `SELECT ${runColumns} FROM ${t.runs} WHERE id = ? FOR UPDATE`,
    getRunByIdOrKey: `SELECT ${runColumns}, idempotency_hash FROM ${t.runs}
      WHERE (workflow_id = ? AND idempotency_hash = ?) OR id = ? LOCK IN SHARE MODE`,
    insertRun: `INSERT INTO ${t.runs} (${runInsertColumns}) VALUES (${marks(12)})`,
    setRunStatus: `UPDATE ${t.runs} SET status = ? WHERE id = ?`,
    reopenRun: `UPDATE ${t.runs} SET status = ?, output = NULL, error = NULL, ended_at = NULL,
      updated_at = ? WHERE id = ?`,
    getSteps: `SELECT ${stepColumns} FROM ${t.steps} WHERE run_id = ? ORDER BY seq`,
    insertStep: `INSERT INTO ${t.steps} (${stepInsertColumns}) VALUES (${marks(12)})`,
    deleteFailedSteps: `DELETE FROM ${t.steps} WHERE run_id = ? AND status = 'failed'`,
    getTasks: `SELECT ${taskColumns} FROM ${t.tasks} WHERE run_id = ? ORDER BY seq`,
    getTask: `SELECT ${taskColumns} FROM ${t.tasks} WHERE id_hash = ?`,
    getTaskState: `SELECT available_at, lease_owner, lease_expires_at, parked, fence
      FROM ${t.tasks} WHERE id_hash = ?`,
    insertTask: `INSERT INTO ${t.tasks} (${taskInsertColumns}) VALUES (${marks(taskParamCount)})`,
    claimTask: `UPDATE ${t.tasks} SET fence = LAST_INSERT_ID(fence + 1), lease_owner = ?,
      lease_expires_at = ?
      WHERE id_hash = ? AND parked = 0 AND available_at <= ?
        AND (lease_owner IS NULL OR IFNULL(lease_expires_at, 0) <= ?)`,
    renewTask: `UPDATE ${t.tasks} SET lease_expires_at = ? WHERE id_hash = ? AND fence = ? AND parked = 0`,
    retryTask: `UPDATE ${t.tasks} SET attempt = ?, available_at = ?, last_error = ?,
      lease_owner = NULL, lease_expires_at = NULL WHERE id_hash = ?`,
    deleteTask: `DELETE FROM ${t.tasks} WHERE id_hash = ?`,
    deleteRunTasks: `DELETE FROM ${t.tasks} WHERE run_id = ?`,
    parkTasks: `UPDATE ${t.tasks} SET parked = 1, lease_owner = NULL, lease_expires_at = NULL
      WHERE run_id = ?`,
    unparkTasks: `UPDATE ${t.tasks} SET parked = 0 WHERE run_id = ? AND parked = 1`,
    countTasks: `SELECT COUNT(*) AS total, COALESCE(SUM(wait_open = 0), 0) AS runnable
      FROM ${t.tasks} WHERE run_id = ?`,
    openWaits: `SELECT ${taskColumns}, id_hash FROM ${t.tasks}
      WHERE run_id = ? AND wait_open = 1 AND parked = 0 AND available_at > ? ORDER BY seq FOR UPDATE`,
    resolveTask: `UPDATE ${t.tasks} SET wait_resolution = ?, wait_open = 0, event_hash = NULL,
      available_at = ? WHERE id_hash = ?`,
    staleTasks: `SELECT ${taskColumns} FROM ${t.tasks}
      WHERE claim_at <= ? AND (lease_owner IS NOT NULL OR available_at <= ?)
      ORDER BY claim_at LIMIT ?`,
    claimable: `SELECT ${taskColumns}, id_hash FROM ${t.tasks}
      WHERE claim_at <= ? ORDER BY claim_at LIMIT ? FOR UPDATE SKIP LOCKED`,
    getScope: `SELECT ${scopeColumns} FROM ${t.scopes} WHERE run_id = ? AND key_hash = ?`,
    getScopes: `SELECT ${scopeColumns}, key_hash FROM ${t.scopes} WHERE run_id = ? ORDER BY seq`,
    insertScope: `INSERT INTO ${t.scopes} (run_id, key_hash, scope_key, expected, completed, items,
      closed) VALUES (${marks(7)})`,
    countJoin: `UPDATE ${t.scopes} SET completed = completed + 1 WHERE run_id = ? AND key_hash = ?`,
    closeScope: `UPDATE ${t.scopes} SET closed = 1 WHERE run_id = ? AND key_hash = ?`,
    getScopeResults: `SELECT run_id, idx, output FROM ${t.scopeResults}
      WHERE run_id = ? AND key_hash = ? ORDER BY idx`,
    getRunScopeResults: `SELECT run_id, key_hash, idx, output FROM ${t.scopeResults}
      WHERE run_id = ? ORDER BY idx`,
    insertScopeResult: `INSERT INTO ${t.scopeResults} (run_id, key_hash, idx, output)
      VALUES (?, ?, ?, ?)`,
    inboxPage: `SELECT seq, event_id, payload, run_id FROM ${t.inbox}
      WHERE name_hash = ? AND expires_at > ? AND (run_id IS NULL OR run_id = ?) AND seq > ?
      ORDER BY seq LIMIT ${inboxPageSize} FOR UPDATE`,
    insertInbox: `INSERT INTO ${t.inbox} (name_hash, event_id, name, payload, run_id, received_at,
      expires_at) VALUES (${marks(7)})`,
    purgeInbox: `DELETE FROM ${t.inbox} WHERE expires_at <= ? LIMIT ?`,
    lockEventName: `INSERT INTO ${t.waitFields} (name_hash, fields_hash, fields) VALUES (?, ?, NULL)
      ON DUPLICATE KEY UPDATE fields_hash = fields_hash`,
    getWaitFields: `SELECT fields FROM ${t.waitFields} WHERE name_hash = ? AND fields IS NOT NULL`,
  }
}
