// The rules every write that adds tasks keeps: scopes inserted once, new event waits matched
// against the inbox, and a live run's status derived from its tasks (suspension).
import {
  eventMatchKey,
  waitMatchFields,
  waitMatchKey,
  type ScopeRecord,
  type TaskRecord,
  type WaitResolution,
} from '@tessera/core'
import {
  inboxPayload,
  isOpenEventWait,
  isPlainTask,
  taskParams,
  toJson,
  type Row,
} from './sqlite-rows'
import type { SqliteContext } from './sqlite-statements'

export type SqliteRules = ReturnType<typeof createRules>

export function createRules({ sql, t }: SqliteContext) {
  const insertScope = (scope: ScopeRecord) => {
    const inserted = sql.insertScope.run(
      scope.runId,
      scope.key,
      scope.expected,
      scope.completed,
      toJson(scope.items),
      scope.closed ? 1 : 0,
    )
    if (inserted.changes === 0) return
    for (const [index, output] of Object.entries(scope.results)) {
      sql.insertScopeResult.run(scope.runId, scope.key, Number(index), toJson(output))
    }
  }

  /**
   * The inbox rule for one event wait just inserted: the oldest unexpired inbox event of its
   * name (and of its run, or of none) whose payload matches resolves it, and leaves the inbox.
   */
  const takeFromInbox = (task: TaskRecord, now: number): boolean => {
    const wait = task.wait!
    const fields = waitMatchFields(wait.match)
    const key = waitMatchKey(wait.match)
    let found: { id: string; payload: unknown } | undefined
    for (const row of sql.inboxCandidates.iterate(wait.name, now, task.runId) as Iterable<Row>) {
      const payload = inboxPayload(t.inbox, row)
      if (eventMatchKey(payload, fields) === key) {
        found = { id: row.id as string, payload }
        break
      }
    }
    if (!found) return false
    const resolution: WaitResolution = {
      type: 'event',
      eventId: found.id,
      payload: found.payload,
      at: now,
    }
    sql.resolveTask.run(JSON.stringify(resolution), now, task.id)
    sql.deleteInbox.run(found.id)
    return true
  }

  /**
   * Inserts new tasks (an existing id is left alone, or replaced with `replace`), resolving new
   * event waits from the inbox (their ids go to `woken`). Whether a wait was inserted.
   */
  const insertTasks = (
    tasks: TaskRecord[],
    now: number,
    woken: string[],
    replace = false,
  ): boolean => {
    let insertedWait = false
    for (const task of tasks) {
      const full = replace || !isPlainTask(task)
      const insert = replace ? sql.replaceTask : full ? sql.insertTask : sql.insertPlainTask
      if (insert.run(taskParams(task, full)).changes === 0 || !task.wait) continue
      insertedWait = true
      if (isOpenEventWait(task) && takeFromInbox(task, now)) woken.push(task.id)
    }
    return insertedWait
  }

  /**
   * Suspension: a live run with tasks, every one of them an unresolved wait, is `suspended`; one
   * with any other task is `running`. A run without tasks keeps its status.
   */
  const deriveStatus = (runId: string) => {
    const [active, any] = sql.runActivity.get({ run: runId }) as [number, number]
    if (any === 0) return
    const status = active === 1 ? 'running' : 'suspended'
    sql.setLiveStatus.run(status, runId, status)
  }

  return { insertScope, insertTasks, deriveStatus }
}
