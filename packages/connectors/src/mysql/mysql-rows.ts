// Row mapping: records to statement parameters, and rows back to records. Every column read
// back is checked: a row that was changed by hand into something unreadable gives a StoreError
// that names its table and id, instead of a record with the wrong types.
import { createHash } from 'node:crypto'
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
import { corruptRow } from './mysql-errors'

export type Row = Record<string, unknown>

/** A statement parameter as mysql2 sends it. */
export type Param = string | number | Buffer | null

export const toJson = (value: unknown): string | null =>
  value === undefined ? null : (JSON.stringify(value) ?? null)

/** SHA-256 of a string: the indexed form of keys that can be longer than an index allows. */
export const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest()

/** The lock row of an event name in the wait-fields table (a fields hash of zeros). */
export const lockFieldsHash = Buffer.alloc(32)

/** The indexed key of an unresolved event wait: its event name and its match key. */
export const eventHash = (name: string, matchKey: string): Buffer =>
  sha256(`${name.length}:${name}${matchKey}`)

const runStatuses = new Set(['running', 'suspended', 'succeeded', 'failed', 'cancelled'])
const stepStatuses = new Set(['succeeded', 'failed'])
const waitKinds = new Set(['sleep', 'event', 'approval'])

/** A VARBINARY column (ids) or a text column, as a string. */
const asText = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : undefined

/** A BIGINT column: a number, or a string with `supportBigNumbers`/`bigNumberStrings`. */
const asInt = (value: unknown): number | undefined => {
  const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value
  return Number.isSafeInteger(number) ? (number as number) : undefined
}

const describe = (value: unknown) => {
  if (value === null || value === undefined) return 'NULL'
  const text = asText(value)
  return text !== undefined ? `text "${text.slice(0, 40)}"` : typeof value
}

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
    return asText(this.row[column]) ?? this.fail(column, 'text')
  }

  optText(column: string): string | undefined {
    const value = this.row[column]
    if (value === null || value === undefined) return undefined
    return asText(value) ?? this.fail(column, 'text or NULL')
  }

  int(column: string): number {
    return asInt(this.row[column]) ?? this.fail(column, 'an integer')
  }

  optInt(column: string): number | undefined {
    const value = this.row[column]
    if (value === null || value === undefined) return undefined
    return asInt(value) ?? this.fail(column, 'an integer or NULL')
  }

  json(column: string): unknown {
    const value = this.row[column]
    if (value === null || value === undefined) return undefined
    const text = asText(value)
    if (text === undefined) return this.fail(column, 'JSON text or NULL')
    try {
      return JSON.parse(text)
    } catch (error) {
      return this.fail(column, 'JSON text', error)
    }
  }

  /** A JSON object (errors, resolutions, waits), or undefined for NULL. */
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
    const value = asText(this.row[column])
    return value !== undefined && allowed.has(value)
      ? (value as T)
      : this.fail(column, [...allowed].join(' | '))
  }
}

/** How a row is named in errors: its id columns, as text. */
const idOf = (row: Row, ...columns: string[]) =>
  columns.map((column) => asText(row[column]) ?? String(row[column])).join('/')

/** The run columns every read selects (all of them). */
export const runColumns = `id, workflow_id, workflow_version, status, input, output, error,
  idempotency_key, created_at, updated_at, ended_at`

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

/** The `status` column of a run row read on its own (a commit's check). */
export function runStatusOf(table: string, runId: string, row: Row): RunStatus {
  return new Reader(table, runId, row).oneOf<RunStatus>('status', runStatuses)
}

/** Parameters of the run insert, in the order of {@link runInsertColumns}. */
export const runInsertColumns = `id, workflow_id, workflow_version, status, input, output, error,
  idempotency_key, idempotency_hash, created_at, updated_at, ended_at`

export function runParams(run: RunRecord, status: RunStatus): Param[] {
  return [
    run.id,
    run.workflowId,
    run.workflowVersion,
    status,
    toJson(run.input),
    toJson(run.output),
    toJson(run.error),
    run.idempotencyKey ?? null,
    run.idempotencyKey === undefined ? null : sha256(run.idempotencyKey),
    run.createdAt,
    run.updatedAt,
    run.endedAt ?? null,
  ]
}

export const stepColumns = `run_id, step_key, node_id, path, status, output, error, input,
  attempts, started_at, ended_at`

/** The columns of {@link stepParams}, for the insert statement. */
export const stepInsertColumns = `run_id, key_hash, step_key, node_id, path, status, output, error,
  input, attempts, started_at, ended_at`

export function stepFromRow(table: string, row: Row): StepRecord {
  const r = new Reader(table, idOf(row, 'run_id', 'step_key'), row)
  const step: StepRecord = {
    runId: r.text('run_id'),
    key: r.text('step_key'),
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

/** Parameters of the step insert, in the order of {@link stepInsertColumns}. */
export function stepParams(step: StepRecord, runId: string): Param[] {
  return [
    runId,
    sha256(step.key),
    step.key,
    step.nodeId,
    JSON.stringify(step.path),
    step.status,
    toJson(step.output),
    toJson(step.error),
    toJson(step.input),
    step.attempts,
    step.startedAt,
    step.endedAt,
  ]
}

/** The task columns every read selects. */
export const taskColumns = `id, run_id, workflow_id, workflow_version, node_id, task_key, path,
  input, attempt, available_at, fence, lease_owner, lease_expires_at, last_error, wait_spec,
  wait_resolution, parked`

export function taskFromRow(table: string, row: Row): TaskRecord {
  const r = new Reader(table, idOf(row, 'id'), row)
  const task: TaskRecord = {
    id: r.text('id'),
    runId: r.text('run_id'),
    workflowId: r.text('workflow_id'),
    workflowVersion: r.text('workflow_version'),
    nodeId: r.text('node_id'),
    key: r.text('task_key'),
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
  const spec = r.jsonObject('wait_spec')
  if (spec !== undefined) {
    if (typeof spec.kind !== 'string' || !waitKinds.has(spec.kind)) {
      r.fail('wait_spec', 'a wait with a kind (sleep | event | approval)')
    }
    const wait = { ...spec } as unknown as TaskWait
    const resolution = r.jsonObject('wait_resolution')
    if (resolution !== undefined) wait.resolution = resolution as unknown as WaitResolution
    task.wait = wait
  }
  if (r.int('parked') !== 0) task.parked = true
  return task
}

/** Whether a task is an event wait that no event has resolved yet. */
export const isOpenEventWait = (task: TaskRecord): boolean =>
  task.wait?.kind === 'event' && task.wait.resolution === undefined

/** The columns of {@link taskParams}, for the insert statements. */
export const taskInsertColumns = `id_hash, id, run_id, workflow_id, workflow_version, node_id,
  task_key, path, input, attempt, available_at, fence, lease_owner, lease_expires_at, last_error,
  wait_spec, wait_resolution, wait_open, event_hash, parked`

/** How many parameters one task row of an insert takes. */
export const taskParamCount = 20

/** Parameters of one task row of an insert, in the order of {@link taskInsertColumns}. */
export function taskParams(task: TaskRecord): Param[] {
  const wait = task.wait
  let spec: string | null = null
  let open = 0
  let event: Buffer | null = null
  if (wait !== undefined) {
    const { resolution, ...rest } = wait
    spec = JSON.stringify(rest)
    if (resolution === undefined) {
      open = 1
      if (wait.kind === 'event') event = eventHash(wait.name ?? '', waitMatchKey(wait.match))
    }
  }
  return [
    sha256(task.id),
    task.id,
    task.runId,
    task.workflowId,
    task.workflowVersion,
    task.nodeId,
    task.key,
    JSON.stringify(task.path),
    toJson(task.input),
    task.attempt,
    task.availableAt,
    task.fence,
    task.leaseOwner ?? null,
    task.leaseExpiresAt ?? null,
    toJson(task.lastError),
    spec,
    toJson(wait?.resolution),
    open,
    event,
    task.parked === true ? 1 : 0,
  ]
}

/** The match-field set of an event wait, as kept in the wait-fields table. */
export const waitFieldsOf = (task: TaskRecord): string => waitMatchFields(task.wait?.match)

export const scopeColumns = 'run_id, scope_key, expected, completed, items, closed'

/** A scope row and its results (child index → output) as a record. */
export function scopeFromRow(
  table: string,
  row: Row,
  results: Record<number, unknown>,
): ScopeRecord {
  const r = new Reader(table, idOf(row, 'run_id', 'scope_key'), row)
  const scope: ScopeRecord = {
    runId: r.text('run_id'),
    key: r.text('scope_key'),
    expected: r.int('expected'),
    results,
    completed: r.int('completed'),
    closed: r.int('closed') !== 0,
  }
  const items = r.json('items')
  if (items !== undefined) {
    scope.items = Array.isArray(items) ? items : r.fail('items', 'a JSON array')
  }
  return scope
}

/** Parameters of one scope row: `run_id, key_hash, scope_key, expected, completed, items, closed`. */
export function scopeParams(scope: ScopeRecord, runId: string): Param[] {
  return [
    runId,
    sha256(scope.key),
    scope.key,
    scope.expected,
    scope.completed,
    toJson(scope.items),
    scope.closed ? 1 : 0,
  ]
}

/** One scope result row (its id: run, scope and index). */
export function scopeResultFromRow(
  table: string,
  row: Row,
  scopeKey: string,
): { index: number; output: unknown } {
  const r = new Reader(table, `${idOf(row, 'run_id')}/${scopeKey}/${String(row.idx)}`, row)
  return { index: r.int('idx'), output: r.json('output') }
}

/** One inbox row, for matching against a wait. */
export function inboxFromRow(
  table: string,
  row: Row,
): { seq: number; eventId: string; payload: unknown; runId: string | undefined } {
  const r = new Reader(table, idOf(row, 'seq'), row)
  return {
    seq: r.int('seq'),
    eventId: r.text('event_id'),
    payload: r.json('payload'),
    runId: r.optText('run_id'),
  }
}

/** The match-field set of a wait-fields row. */
export function waitFieldsFromRow(table: string, row: Row): string {
  const r = new Reader(table, idOf(row, 'fields'), row)
  const fields = r.text('fields')
  try {
    const parsed = JSON.parse(fields) as unknown
    if (Array.isArray(parsed) && parsed.every((field) => typeof field === 'string')) return fields
  } catch (error) {
    return r.fail('fields', 'a JSON array of field names', error)
  }
  return r.fail('fields', 'a JSON array of field names')
}

/** The schema version in a meta row. */
export function metaVersion(table: string, row: Row): number {
  return new Reader(table, 'schema_version', row).int('value')
}
