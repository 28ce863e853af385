// Waits and runs that continue: deliverEvent (with the inbox), resolveWait and reopenRun.
import {
  eventMatchKey,
  NotFoundError,
  terminalRunStatuses,
  type EventRecord,
  type ResolveWaitResult,
  type RunRecord,
  type TaskRecord,
  type TaskWait,
  type WaitResolution,
} from '@tessera/core'
import { runFromRow, taskFromRow, toJson, type Row } from './sqlite-rows'
import type { SqliteRules } from './sqlite-rules'
import type { SqliteContext } from './sqlite-statements'

/** What `resolveWait` is given. */
export interface ResolveWaitInput {
  runId: string
  kind: TaskWait['kind']
  name?: string
  key?: string
  resolution: WaitResolution
  now: number
}

export function createWaits({ db, sql, t }: SqliteContext, rules: SqliteRules) {
  const readRun = (runId: string): RunRecord => {
    const row = sql.getRun.get(runId) as Row | undefined
    if (!row) throw new NotFoundError({ kind: 'run', id: runId })
    return runFromRow(t.runs, row)
  }

  /**
   * Every unresolved wait for the event's name, found with indexed lookups only: one per
   * distinct set of match fields among those waits, by the key the payload has for that set.
   */
  const deliverEventTx = db.transaction((event: EventRecord, now: number): TaskRecord[] => {
    const resolution: WaitResolution = {
      type: 'event',
      eventId: event.id,
      payload: event.payload,
      at: now,
    }
    const params = {
      resolution: JSON.stringify(resolution),
      now,
      name: event.name,
      fields: '',
      key: '',
      runId: event.runId ?? null,
    }
    const delivered: TaskRecord[] = []
    for (const fields of sql.eventWaitFields.all(event.name) as string[]) {
      const key = eventMatchKey(event.payload, fields)
      if (key === undefined) continue
      params.fields = fields
      params.key = key
      for (const row of sql.deliverEvent.all(params) as Row[]) {
        delivered.push(taskFromRow(t.tasks, row))
      }
    }
    if (delivered.length === 0) {
      // Nobody waits for it yet: the inbox keeps it for waits registered before it expires.
      if (event.expiresAt > now && event.expiresAt > event.receivedAt) {
        sql.insertInbox.run(
          event.id,
          event.name,
          toJson(event.payload),
          event.runId ?? null,
          event.receivedAt,
          event.expiresAt,
        )
      }
      return delivered
    }
    for (const runId of new Set(delivered.map((task) => task.runId))) sql.wakeRun.run(runId)
    return delivered.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  })

  const resolveWaitTx = db.transaction((input: ResolveWaitInput): ResolveWaitResult => {
    const run = readRun(input.runId)
    if (terminalRunStatuses.has(run.status)) return { status: 'run-ended', run }
    const row = sql.findWait.get({
      run: input.runId,
      kind: input.kind,
      name: input.name ?? null,
      key: input.key ?? null,
      now: input.now,
    }) as Row | undefined
    if (!row) return { status: 'not-waiting' }
    const resolved = sql.resolveTask.get(JSON.stringify(input.resolution), input.now, row.id) as Row
    sql.wakeRun.run(input.runId)
    return { status: 'resolved', task: taskFromRow(t.tasks, resolved) }
  })

  const reopenRunTx = db.transaction(
    (
      runId: string,
      tasks: TaskRecord[],
      now: number,
    ): { status: 'reopened'; run: RunRecord } | { status: 'not-failed'; run: RunRecord } => {
      const run = readRun(runId)
      if (run.status !== 'failed') return { status: 'not-failed', run }
      sql.deleteFailedSteps.run(runId)
      sql.unparkRunTasks.run({ run: runId })
      rules.insertTasks(tasks, now, [], true)
      sql.reopenRun.run(now, runId)
      rules.deriveStatus(runId)
      return { status: 'reopened', run: readRun(runId) }
    },
  )

  return {
    deliverEvent: (event: EventRecord, now: number) => deliverEventTx.immediate(event, now),
    resolveWait: (input: ResolveWaitInput): ResolveWaitResult => resolveWaitTx.immediate(input),
    reopenRun: (runId: string, tasks: TaskRecord[], now: number) =>
      reopenRunTx.immediate(runId, tasks, now),
  }
}
