// Row mapping: records to statement parameters, and rows back to records. Every column read
// back is checked: a row that was changed by hand into something unreadable gives a StoreError
// that names its table and id, instead of a record with the wrong types.
import {
  waitMatchFields,
  waitMatchKey,
  type RunRecord,
  type RunStatus,
  type ScopeRecord,
  type SerializedError,
  type StepRecord,
  type TaskRecord,
  type TaskWait,
  type WaitResolution,
} from '@tessera/core'
import { corruptRow } from './sqlite-errors'

export type Row = Record<string, unknown>

export const toJson = (value: unknown): string | null =>
  value === undefined ? null : (JSON.stringify(value) ?? null)

const runStatuses = new Set(['running', 'suspended', 'succeeded', 'failed', 'cancelled'])
const waitKinds = new Set(['sleep', 'event', 'approval'])

const describe = (value: unknown) =>
  value === null
    ? 'NULL'
    : typeof value === 'string'
      ? `text "${value.slice(0, 40)}"`
      : typeof value

/** Reads the columns of one row of one table, naming both when a column is unreadable. */
export class Reader {
  constructor(
    readonly table: string,
    readonly id: string,
    readonly row: Row,
  ) {}

  fail(column: string, expected: string, cause?: unknown): never {
    throw corruptRow(
      this.table,
      this.id,
      `column ${column} holds ${describe(this.row[column])}, expected ${expected}`,
      cause,
    )
  }

  text(column: string): string {
    const value = this.row[column]
    return typeof value === 'string' ? value : this.fail(column, 'text')
  }

  optText(column: string): string | undefined {
    const value = this.row[column]
    if (value === null || value === undefined) return undefined
    return typeof value === 'string' ? value : this.fail(column, 'text or NULL')
  }

  int(column: string): number {
    const value = this.row[column]
    return Number.isSafeInteger(value) ? (value as number) : this.fail(column, 'an integer')
  }

  optInt(column: string): number | undefined {
    const value = this.row[column]
    if (value === null || value === undefined) return undefined
    return Number.isSafeInteger(value) ? (value as number) : this.fail(column, 'an integer or NULL')
  }

  json(column: string): unknown {
    const value = this.row[column]
    if (value === null || value === undefined) return undefined
    if (typeof value !== 'string') return this.fail(column, 'JSON text or NULL')
    try {
      return JSON.parse(value)
    } catch (error) {
      return this.fail(column, 'JSON text', error)
    }
  }

  /** A JSON object (errors, resolutions, matches), or undefined for NULL. */
  jsonObject(column: string): Record<string, unknown> | undefined {
    const value = this.json(column)
    if (value === undefined) return undefined
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : this.fail(column, 'a JSON object')
  }

  path(column: string): number[] {
    const value = this.json(column)
    return Array.isArray(value) && value.every((index) => Number.isInteger(index))
      ? (value as number[])
      : this.fail(column, 'a JSON array of integers')
  }

  oneOf<T extends string>(column: string, allowed: ReadonlySet<string>): T {
    const value = this.row[column]
    return typeof value === 'string' && allowed.has(value)
      ? (value as T)
      : this.fail(column, [...allowed].join(' | '))
  }
}

const idOf = (row: Row, ...columns: string[]) => columns.map((c) => String(row[c])).join('/')

export function runFromRow(table: string, row: Row): RunRecord {
  const r = new Reader(table, idOf(row, 'id'), row)
  const run: RunRecord = {
    id: r.text('id'),
    workflowId: r.text('workflow_id'),
    workflowVersion: r.text('workflow_version'),
    status: r.oneOf<RunStatus>('status', runStatuses),
    input: r.json('input'),
    createdAt: r.int('created_at'),
    updatedAt: r.int('updated_at'),
  }
  const output = r.json('output')
  if (output !== undefined) run.output = output
  const error = r.jsonObject('error')
  if (error !== undefined) run.error = error as unknown as SerializedError
  const idempotencyKey = r.optText('idempotency_key')
  if (idempotencyKey !== undefined) run.idempotencyKey = idempotencyKey
  const endedAt = r.optInt('ended_at')
  if (endedAt !== undefined) run.endedAt = endedAt
  return run
}

const stepStatuses = new Set(['succeeded', 'failed'])

export function stepFromRow(table: string, row: Row): StepRecord {
  const r = new Reader(table, idOf(row, 'run_id', 'key'), row)
  const step: StepRecord = {
    runId: r.text('run_id'),
    key: r.text('key'),
    nodeId: r.text('node_id'),
    path: r.path('path'),
    status: r.oneOf<StepRecord['status']>('status', stepStatuses),
    attempts: r.int('attempts'),
    startedAt: r.int('started_at'),
    endedAt: r.int('ended_at'),
  }
  const output = r.json('output')
  if (output !== undefined) step.output = output
  const error = r.jsonObject('error')
  if (error !== undefined) step.error = error as unknown as SerializedError
  const input = r.json('input')
  if (input !== undefined) step.input = input
  return step
}

export function taskFromRow(table: string, row: Row): TaskRecord {
  const r = new Reader(table, idOf(row, 'id'), row)
  const task: TaskRecord = {
    id: r.text('id'),
    runId: r.text('run_id'),
    workflowId: r.text('workflow_id'),
    workflowVersion: r.text('workflow_version'),
    nodeId: r.text('node_id'),
    key: r.text('key'),
    path: r.path('path'),
    input: r.json('input'),
    attempt: r.int('attempt'),
    availableAt: r.int('available_at'),
    fence: r.int('fence'),
  }
  const leaseOwner = r.optText('lease_owner')
  if (leaseOwner !== undefined) task.leaseOwner = leaseOwner
  const leaseExpiresAt = r.optInt('lease_expires_at')
  if (leaseExpiresAt !== undefined) task.leaseExpiresAt = leaseExpiresAt
  const lastError = r.jsonObject('last_error')
  if (lastError !== undefined) task.lastError = lastError as unknown as SerializedError
  if (row.wait_kind !== null) {
    const wait: TaskWait = { kind: r.oneOf<TaskWait['kind']>('wait_kind', waitKinds) }
    const name = r.optText('wait_name')
    if (name !== undefined) wait.name = name
    const match = r.jsonObject('wait_match')
    if (match !== undefined) wait.match = match
    const resolution = r.jsonObject('wait_resolution')
    if (resolution !== undefined) wait.resolution = resolution as unknown as WaitResolution
    task.wait = wait
  }
  const parked = r.int('parked')
  if (parked !== 0) task.parked = true
  return task
}

/** A scope row and its results (child index → output) as a record. */
export function scopeFromRow(
  table: string,
  row: Row,
  results: Record<number, unknown>,
): ScopeRecord {
  const r = new Reader(table, idOf(row, 'run_id', 'key'), row)
  const scope: ScopeRecord = {
    runId: r.text('run_id'),
    key: r.text('key'),
    expected: r.int('expected'),
    results,
    completed: r.int('completed'),
    closed: r.int('closed') !== 0,
  }
  const items = r.json('items')
  if (items !== undefined)
    scope.items = Array.isArray(items) ? items : r.fail('items', 'a JSON array')
  return scope
}

/** One scope result row's output (the table's id: run, scope key and index). */
export function scopeResultOutput(table: string, row: Row): { index: number; output: unknown } {
  const r = new Reader(table, idOf(row, 'run_id', 'scope_key', 'idx'), row)
  return { index: r.int('idx'), output: r.json('output') }
}

/** One inbox row: its payload, for matching against a wait. */
export function inboxPayload(table: string, row: Row): unknown {
  return new Reader(table, idOf(row, 'id'), row).json('payload')
}

/** The schema version in a meta row. */
export function metaVersion(table: string, row: Row): number {
  return new Reader(table, idOf(row, 'key'), row).int('value')
}

/** The JSON of a path; the empty path (every node outside loops) without a call. */
export const pathJson = (path: number[]) => (path.length === 0 ? '[]' : JSON.stringify(path))

/**
 * Parameters of the task insert statements, in the order of {@link taskColumns}; for a plain
 * task (no wait, no last error, not parked) unless `full`, only the {@link plainTaskColumns}:
 * fewer values to bind on the hot path.
 */
export function taskParams(task: TaskRecord, full = !isPlainTask(task)): unknown[] {
  const params: unknown[] = [
    task.id,
    task.runId,
    task.workflowId,
    task.workflowVersion,
    task.nodeId,
    task.key,
    pathJson(task.path),
    toJson(task.input),
    task.attempt,
    task.availableAt,
    task.fence,
    task.leaseOwner ?? null,
    task.leaseExpiresAt ?? null,
  ]
  if (!full) return params
  const wait = task.wait
  const event = wait?.kind === 'event'
  params.push(
    toJson(task.lastError),
    wait ? wait.kind : null,
    wait?.name ?? null,
    toJson(wait?.match),
    event ? waitMatchFields(wait.match) : null,
    event ? waitMatchKey(wait.match) : null,
    toJson(wait?.resolution),
    task.parked ? 1 : 0,
  )
  return params
}

/** A task with no wait, no last error and not parked: its last columns are all defaults. */
export const isPlainTask = (task: TaskRecord): boolean =>
  task.wait === undefined && task.lastError === undefined && task.parked !== true

/** The columns a plain task sets (see {@link taskParams}). */
export const plainTaskColumns = `id, run_id, workflow_id, workflow_version, node_id, key, path, input,
  attempt, available_at, fence, lease_owner, lease_expires_at`

/** Every column of a task. */
export const taskColumns = `${plainTaskColumns}, last_error, wait_kind, wait_name, wait_match,
  wait_match_fields, wait_match_key, wait_resolution, parked`

/** Whether a task is an event wait that no event has resolved yet. */
export const isOpenEventWait = (task: TaskRecord): boolean =>
  task.wait?.kind === 'event' && task.wait.resolution === undefined
