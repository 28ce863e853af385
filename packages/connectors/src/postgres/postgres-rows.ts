import {
  StoreError,
  type RunRecord,
  type RunStatus,
  type ScopeRecord,
  type StepRecord,
  type TaskRecord,
} from '@tessera/core'

// Rows come back as JSON built by the store's SQL functions (`run_json`, `task_json`, …): typed
// columns cannot be wrong, but JSONB columns and status texts can be (a hand-edited row, another
// tool's write). Every record is checked before it reaches the engine; a bad one is a StoreError
// naming the table and the row.

type Json = Record<string, unknown>

const runStatuses: ReadonlySet<string> = new Set([
  'running',
  'suspended',
  'succeeded',
  'failed',
  'cancelled',
])
const waitKinds: ReadonlySet<string> = new Set(['sleep', 'event', 'approval'])

/** Throws the StoreError of a corrupt row. */
export function corrupt(table: string, id: string, problem: string): never {
  throw new StoreError('postgres', `Corrupt row "${id}" in table ${table}: ${problem}`)
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const isNumber = (value: unknown): value is number => typeof value === 'number'
const isPath = (value: unknown): value is number[] =>
  Array.isArray(value) && value.every((part) => Number.isInteger(part))
/** A serialized error: an object with a string name and message (the rest is not checked). */
const isError = (value: unknown): boolean =>
  isObject(value) && typeof value.name === 'string' && typeof value.message === 'string'

function idOf(row: unknown): string {
  return isObject(row) && typeof row.id === 'string' ? row.id : String(row)
}

export function toRun(row: unknown, table: string): RunRecord {
  if (!isObject(row)) return corrupt(table, idOf(row), 'not a run')
  const id = row.id as string
  if (!runStatuses.has(row.status as string)) {
    corrupt(table, id, `status ${JSON.stringify(row.status)} is not a run status`)
  }
  if (!isNumber(row.createdAt) || !isNumber(row.updatedAt)) {
    corrupt(table, id, 'created_at or updated_at is not a number')
  }
  if (row.error !== undefined && !isError(row.error)) {
    corrupt(table, id, 'error is not a serialized error')
  }
  return row as unknown as RunRecord
}

export function toTask(row: unknown, table: string): TaskRecord {
  if (!isObject(row)) return corrupt(table, idOf(row), 'not a task')
  const id = row.id as string
  if (!isPath(row.path)) corrupt(table, id, 'path is not an array of integers')
  if (!isNumber(row.attempt) || !isNumber(row.availableAt) || !isNumber(row.fence)) {
    corrupt(table, id, 'attempt, available_at or fence is not a number')
  }
  if (row.lastError !== undefined && !isError(row.lastError)) {
    corrupt(table, id, 'last_error is not a serialized error')
  }
  const wait = row.wait
  if (wait !== undefined) {
    if (!isObject(wait) || !waitKinds.has(wait.kind as string)) {
      corrupt(table, id, 'wait is not a sleep, event or approval wait')
    }
    if (wait.match !== undefined && !isObject(wait.match)) {
      corrupt(table, id, 'wait.match is not an object')
    }
    if (wait.resolution !== undefined && !isObject(wait.resolution)) {
      corrupt(table, id, 'wait.resolution is not an object')
    }
  }
  return row as unknown as TaskRecord
}

export function toStep(row: unknown, table: string): StepRecord {
  if (!isObject(row)) return corrupt(table, idOf(row), 'not a step')
  const id = `${String(row.runId)}/${String(row.key)}`
  if (row.status !== 'succeeded' && row.status !== 'failed') {
    corrupt(table, id, `status ${JSON.stringify(row.status)} is not a step status`)
  }
  if (!isPath(row.path)) corrupt(table, id, 'path is not an array of integers')
  if (row.error !== undefined && !isError(row.error)) {
    corrupt(table, id, 'error is not a serialized error')
  }
  return row as unknown as StepRecord
}

export function toScope(row: unknown, table: string): ScopeRecord {
  if (!isObject(row)) return corrupt(table, idOf(row), 'not a scope')
  const id = `${String(row.runId)}/${String(row.key)}`
  if (row.items !== undefined && !Array.isArray(row.items)) {
    corrupt(table, id, 'items is not an array')
  }
  if (!isObject(row.results)) corrupt(table, id, 'results are not an object')
  return row as unknown as ScopeRecord
}

export const isRunStatus = (value: unknown): value is RunStatus =>
  typeof value === 'string' && runStatuses.has(value)
