// Every statement the store runs, prepared once per store.
import type Database from 'better-sqlite3'
import { runTasks, type SqliteTableNames } from './sqlite-migrations'
import { plainTaskColumns, taskColumns } from './sqlite-rows'

/** `wait_kind IS NOT NULL AND wait_resolution IS NULL`: the task is a wait nothing resolved. */
const openWait = 'wait_kind IS NOT NULL AND wait_resolution IS NULL'

/** A statement's text, and whether it answers plucked values or raw rows instead of objects. */
export interface Text {
  text: string
  mode?: 'pluck' | 'raw'
}
const p = (text: string, mode?: Text['mode']): Text => (mode ? { text, mode } : { text })

export function statementTexts(t: SqliteTableNames) {
  const values = (columns: string) =>
    `(${columns
      .split(',')
      .map(() => '?')
      .join(', ')})`
  const taskValues = values(taskColumns)
  return {
    // ── runs ──
    getRun: p(`SELECT * FROM ${t.runs} WHERE id = ?`),
    getRunStatus: p(`SELECT status FROM ${t.runs} WHERE id = ?`, 'pluck'),
    getRunByKey: p(`SELECT * FROM ${t.runs} WHERE workflow_id = ? AND idempotency_key = ?`),
    insertRun: p(
      `INSERT OR IGNORE INTO ${t.runs} (id, workflow_id, workflow_version, status, input, output,
        error, idempotency_key, created_at, updated_at, ended_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    patchRun: p(
      `UPDATE ${t.runs} SET status = COALESCE(?, status), output = COALESCE(?, output),
        error = COALESCE(?, error), updated_at = ?, ended_at = COALESCE(?, ended_at)
       WHERE id = ?`,
    ),
    /**
     * Suspension: sets a live run's derived status (when it differs). Derived changes leave
     * `updated_at` alone: it is the time of the last change the engine asked for.
     */
    setLiveStatus: p(
      `UPDATE ${t.runs} SET status = ?
       WHERE id = ? AND status IN ('running', 'suspended') AND status <> ?`,
    ),
    reopenRun: p(
      `UPDATE ${t.runs} SET status = 'running', output = NULL, error = NULL, ended_at = NULL,
        updated_at = ?
       WHERE id = ?`,
    ),
    // ── steps ──
    getSteps: p(`SELECT * FROM ${t.steps} WHERE run_id = ? ORDER BY rowid`),
    insertStep: p(
      `INSERT OR IGNORE INTO ${t.steps} (run_id, key, node_id, path, status, output, error,
        attempts, started_at, ended_at, input)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    hasStep: p(`SELECT 1 FROM ${t.steps} WHERE run_id = ? AND key = ?`, 'pluck'),
    deleteFailedSteps: p(`DELETE FROM ${t.steps} WHERE run_id = ? AND status = 'failed'`),
    // ── tasks ──
    getTasks: p(`SELECT * FROM ${t.tasks} WHERE ${runTasks} ORDER BY id`),
    getTask: p(`SELECT * FROM ${t.tasks} WHERE id = ?`),
    insertTask: p(`INSERT OR IGNORE INTO ${t.tasks} (${taskColumns}) VALUES ${taskValues}`),
    insertPlainTask: p(
      `INSERT OR IGNORE INTO ${t.tasks} (${plainTaskColumns}) VALUES ${values(plainTaskColumns)}`,
    ),
    /** reopenRun: a task whose id exists is replaced, keeping the larger fence. */
    replaceTask: p(
      `INSERT INTO ${t.tasks} (${taskColumns}) VALUES ${taskValues}
       ON CONFLICT (id) DO UPDATE SET ${taskColumns
         .split(',')
         .map((column) => column.trim())
         .filter((column) => column !== 'id')
         .map((column) =>
           column === 'fence'
             ? 'fence = MAX(fence, excluded.fence)'
             : `${column} = excluded.${column}`,
         )
         .join(', ')}`,
    ),
    claimTask: p(
      `UPDATE ${t.tasks} SET fence = fence + 1, lease_owner = ?, lease_expires_at = ?
       WHERE id = ? AND available_at <= ? AND parked = 0
         AND (lease_owner IS NULL OR IFNULL(lease_expires_at, 0) <= ?)
       RETURNING *`,
    ),
    renewTask: p(
      `UPDATE ${t.tasks} SET lease_expires_at = ? WHERE id = ? AND fence = ? AND parked = 0`,
    ),
    /**
     * The commit's fence check folded into its write: a row comes back (whether the task was an
     * unresolved wait) only for the current fence. Parked tasks belong to failed runs.
     */
    finishTask: p(
      `DELETE FROM ${t.tasks} WHERE id = ? AND fence = ? AND run_id = ? AND parked = 0
       RETURNING ${openWait}`,
      'pluck',
    ),
    retryTask: p(
      `UPDATE ${t.tasks} SET attempt = ?, available_at = ?, last_error = ?, lease_owner = NULL,
        lease_expires_at = NULL
       WHERE id = ? AND fence = ? AND run_id = ? AND parked = 0
       RETURNING ${openWait}`,
      'pluck',
    ),
    deleteRunTasks: p(`DELETE FROM ${t.tasks} WHERE ${runTasks}`),
    parkRunTasks: p(
      `UPDATE ${t.tasks} SET parked = 1, lease_owner = NULL, lease_expires_at = NULL
       WHERE ${runTasks}`,
    ),
    unparkRunTasks: p(`UPDATE ${t.tasks} SET parked = 0 WHERE ${runTasks} AND parked <> 0`),
    /** Suspension: [has a task that is not an unresolved wait, has any task]. */
    runActivity: p(
      `SELECT EXISTS (SELECT 1 FROM ${t.tasks} WHERE ${runTasks} AND NOT (${openWait})),
        EXISTS (SELECT 1 FROM ${t.tasks} WHERE ${runTasks})`,
      'raw',
    ),
    staleTasks: p(
      `SELECT * FROM (SELECT * FROM ${t.tasks}
         WHERE lease_owner IS NULL AND parked = 0 AND available_at <= ?)
       UNION ALL
       SELECT * FROM (SELECT * FROM ${t.tasks}
         WHERE lease_owner IS NOT NULL AND lease_expires_at <= ? AND parked = 0)
       LIMIT ?`,
    ),
    claimNext: p(
      `UPDATE ${t.tasks} SET fence = fence + 1, lease_owner = @owner, lease_expires_at = @expires
       WHERE id IN (
         SELECT id FROM (
           SELECT id, available_at FROM (SELECT id, available_at FROM ${t.tasks}
             WHERE lease_owner IS NULL AND parked = 0 AND available_at <= @now
             ORDER BY available_at LIMIT @limit)
           UNION ALL
           SELECT id, available_at FROM (SELECT id, available_at FROM ${t.tasks}
             WHERE lease_owner IS NOT NULL AND lease_expires_at <= @now AND parked = 0
               AND available_at <= @now
             ORDER BY available_at LIMIT @limit))
         ORDER BY available_at LIMIT @limit)
       RETURNING *`,
    ),
    // ── waits ──
    resolveTask: p(
      `UPDATE ${t.tasks} SET wait_resolution = ?, available_at = ? WHERE id = ? RETURNING *`,
    ),
    eventWaitFields: p(
      `SELECT DISTINCT wait_match_fields FROM ${t.tasks}
       WHERE wait_kind = 'event' AND wait_resolution IS NULL AND wait_name = ?`,
      'pluck',
    ),
    deliverEvent: p(
      `UPDATE ${t.tasks} SET wait_resolution = @resolution, available_at = @now
       WHERE wait_kind = 'event' AND wait_resolution IS NULL AND wait_name = @name
         AND wait_match_fields = @fields AND wait_match_key = @key AND parked = 0
         AND available_at > @now AND (@runId IS NULL OR run_id = @runId)
       RETURNING *`,
    ),
    findWait: p(
      `SELECT * FROM ${t.tasks}
       WHERE ${runTasks} AND wait_kind = @kind AND wait_resolution IS NULL AND parked = 0
         AND available_at > @now AND (@name IS NULL OR wait_name = @name)
         AND (@key IS NULL OR key = @key)
       ORDER BY key LIMIT 1`,
    ),
    wakeRun: p(`UPDATE ${t.runs} SET status = 'running' WHERE id = ? AND status = 'suspended'`),
    // ── inbox ──
    inboxCandidates: p(
      `SELECT * FROM ${t.inbox}
       WHERE name = ? AND expires_at > ? AND (run_id IS NULL OR run_id = ?)
       ORDER BY received_at, rowid`,
    ),
    insertInbox: p(
      `INSERT OR IGNORE INTO ${t.inbox} (id, name, payload, run_id, received_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    deleteInbox: p(`DELETE FROM ${t.inbox} WHERE id = ?`),
    purgeInbox: p(`DELETE FROM ${t.inbox} WHERE expires_at <= ?`),
    // ── scopes ──
    getScope: p(`SELECT * FROM ${t.scopes} WHERE run_id = ? AND key = ?`),
    getScopes: p(`SELECT * FROM ${t.scopes} WHERE run_id = ? ORDER BY rowid`),
    insertScope: p(
      `INSERT OR IGNORE INTO ${t.scopes} (run_id, key, expected, completed, items, closed)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    countJoin: p(
      `UPDATE ${t.scopes} SET completed = completed + 1 WHERE run_id = ? AND key = ?
       RETURNING *`,
    ),
    closeScope: p(`UPDATE ${t.scopes} SET closed = 1 WHERE run_id = ? AND key = ?`),
    getScopeResults: p(
      `SELECT * FROM ${t.scopeResults} WHERE run_id = ? AND scope_key = ? ORDER BY idx`,
    ),
    getRunScopeResults: p(`SELECT * FROM ${t.scopeResults} WHERE run_id = ? ORDER BY idx`),
    insertScopeResult: p(
      `INSERT OR IGNORE INTO ${t.scopeResults} (run_id, scope_key, idx, output)
       VALUES (?, ?, ?, ?)`,
    ),
    // ── retention ──
    /** Ended runs to purge, as a JSON array of ids for the deletes below. */
    purgeCandidates: p(
      `SELECT json_group_array(id) FROM (
         SELECT id FROM (
           SELECT id, IFNULL(ended_at, 0) AS ended_at, ROW_NUMBER() OVER (
               PARTITION BY workflow_id ORDER BY IFNULL(ended_at, 0) DESC, id DESC) AS newest
           FROM ${t.runs}
           WHERE status IN ('succeeded', 'failed', 'cancelled')
             AND (@workflowId IS NULL OR workflow_id = @workflowId))
         WHERE (@endedBefore IS NOT NULL AND ended_at < @endedBefore)
            OR (@keepLast IS NOT NULL AND newest > @keepLast)
         ORDER BY ended_at, id
         LIMIT @limit)`,
      'pluck',
    ),
    purgeSteps: p(`DELETE FROM ${t.steps} WHERE run_id IN (SELECT value FROM json_each(?))`),
    purgeScopes: p(`DELETE FROM ${t.scopes} WHERE run_id IN (SELECT value FROM json_each(?))`),
    purgeScopeResults: p(
      `DELETE FROM ${t.scopeResults} WHERE run_id IN (SELECT value FROM json_each(?))`,
    ),
    purgeRuns: p(`DELETE FROM ${t.runs} WHERE id IN (SELECT value FROM json_each(?))`),
    // ── threads ──
    getThread: p(`SELECT * FROM ${t.threads} WHERE id = ?`),
    getThreadLastSeq: p(`SELECT last_seq FROM ${t.threads} WHERE id = ?`, 'pluck'),
    getMessages: p(`SELECT * FROM ${t.messages} WHERE thread_id = ? ORDER BY seq`),
    /** Creates the thread or counts `last_seq` on by the messages appended; answers the new one. */
    countMessages: p(
      `INSERT INTO ${t.threads} (id, last_seq, created_at, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET last_seq = last_seq + excluded.last_seq,
         updated_at = excluded.updated_at
       RETURNING last_seq`,
      'pluck',
    ),
    insertMessage: p(
      `INSERT INTO ${t.messages} (thread_id, seq, message, created_at) VALUES (?, ?, ?, ?)`,
    ),
    /** The summary's check folded into its write: no row changes when it is stale. */
    setSummary: p(
      `UPDATE ${t.threads} SET summary = @summary, summary_through = @through,
         summary_at = @now, updated_at = @now
       WHERE id = @id AND last_seq >= @through
         AND (summary_through IS NULL OR summary_through < @through)`,
    ),
    deleteMessagesThrough: p(`DELETE FROM ${t.messages} WHERE thread_id = ? AND seq <= ?`),
    deleteMessages: p(`DELETE FROM ${t.messages} WHERE thread_id = ?`),
    deleteThread: p(`DELETE FROM ${t.threads} WHERE id = ?`),
  }
}

export type SqliteStatements = {
  [Name in keyof ReturnType<typeof statementTexts>]: Database.Statement
}

export function prepareStatements(db: Database.Database, t: SqliteTableNames): SqliteStatements {
  const prepared: Record<string, Database.Statement> = {}
  for (const [name, { text, mode }] of Object.entries(statementTexts(t))) {
    const statement = db.prepare(text)
    prepared[name] =
      mode === 'pluck' ? statement.pluck() : mode === 'raw' ? statement.raw() : statement
  }
  return prepared as SqliteStatements
}

/** What the store's parts share: the connection, its statements and the table names. */
export interface SqliteContext {
  db: Database.Database
  sql: SqliteStatements
  t: SqliteTableNames
}
