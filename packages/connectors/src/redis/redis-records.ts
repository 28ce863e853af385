import {
  StoreError,
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

// How records are laid out in Redis hashes, both ways. Values are JSON strings; '' (never valid
// JSON) stands for undefined. Reading checks every field: a corrupt value is a StoreError that
// names its key.

export const provider = 'redis'

/** A hash as HGETALL returns it, field → value. */
export type Hash = Record<string, string>

export function toHash(reply: unknown): Hash {
  const flat = reply as string[]
  const hash: Hash = Object.create(null) as Hash
  for (let index = 0; index + 1 < flat.length; index += 2) hash[flat[index]!] = flat[index + 1]!
  return hash
}

/** JSON text of a value; '' for undefined (and for what JSON cannot express, as JSON.stringify). */
export const toJson = (value: unknown): string =>
  value === undefined ? '' : (JSON.stringify(value) ?? '')

const statuses = new Set<string>(['running', 'suspended', 'succeeded', 'failed', 'cancelled'])

/** Reads the fields of one hash, naming the key in the error when a value is corrupt. */
export class HashReader {
  constructor(
    readonly key: string,
    readonly hash: Hash,
  ) {}

  corrupt(field: string, problem: string): StoreError {
    return new StoreError(
      provider,
      `Corrupt value in key "${this.key}", field "${field}": ${problem}`,
    )
  }

  string(field: string): string {
    const value = this.hash[field]
    if (value === undefined) throw this.corrupt(field, 'missing')
    return value
  }

  optionalString(field: string): string | undefined {
    return this.hash[field]
  }

  number(field: string): number {
    const text = this.string(field)
    const value = Number(text)
    if (text === '' || !Number.isFinite(value))
      throw this.corrupt(field, `"${text}" is not a number`)
    return value
  }

  optionalNumber(field: string): number | undefined {
    return this.hash[field] === undefined ? undefined : this.number(field)
  }

  /** A JSON field; undefined when absent or ''. */
  json(field: string): unknown {
    const text = this.hash[field]
    if (text === undefined || text === '') return undefined
    try {
      return JSON.parse(text)
    } catch (error) {
      throw new StoreError(
        provider,
        `Corrupt value in key "${this.key}", field "${field}": not JSON (${(error as Error).message})`,
        { cause: error },
      )
    }
  }

  object(field: string): Record<string, unknown> {
    const value = this.json(field)
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw this.corrupt(field, 'not a JSON object')
    }
    return value as Record<string, unknown>
  }
}

function expectType<T>(
  reader: HashReader,
  field: string,
  value: unknown,
  type: 'string' | 'number' | 'array' | 'object',
  name: string,
): T {
  const ok =
    type === 'array'
      ? Array.isArray(value)
      : type === 'object'
        ? typeof value === 'object' && value !== null && !Array.isArray(value)
        : typeof value === type
  if (!ok) throw reader.corrupt(field, `${name} is not a ${type}`)
  return value as T
}

// Runs.

/** The fields of a run hash: `data` holds what never changes (JSON), the rest separately. */
export function encodeRun(run: RunRecord): {
  data: string
  output: string
  error: string
  endedAt: string
} {
  const data: Record<string, unknown> = {
    id: run.id,
    workflowId: run.workflowId,
    workflowVersion: run.workflowVersion,
    input: run.input,
    createdAt: run.createdAt,
  }
  if (run.idempotencyKey !== undefined) data.idempotencyKey = run.idempotencyKey
  return {
    data: JSON.stringify(data),
    output: toJson(run.output),
    error: toJson(run.error),
    endedAt: run.endedAt === undefined ? '' : String(run.endedAt),
  }
}

export function decodeRun(prefix: string, hash: Hash): RunRecord {
  const reader = new HashReader(`${prefix}run:${hash.id ?? '?'}`, hash)
  const data = reader.object('data')
  const status = reader.string('status')
  if (!statuses.has(status)) throw reader.corrupt('status', `"${status}" is not a run status`)
  const run: RunRecord = {
    id: expectType<string>(reader, 'data', data.id, 'string', 'id'),
    workflowId: expectType<string>(reader, 'data', data.workflowId, 'string', 'workflowId'),
    workflowVersion: expectType<string>(
      reader,
      'data',
      data.workflowVersion,
      'string',
      'workflowVersion',
    ),
    status: status as RunStatus,
    input: data.input,
    createdAt: expectType<number>(reader, 'data', data.createdAt, 'number', 'createdAt'),
    updatedAt: reader.number('updatedAt'),
  }
  const output = reader.json('output')
  if (output !== undefined) run.output = output
  const error = reader.json('error')
  if (error !== undefined) run.error = error as SerializedError
  if (data.idempotencyKey !== undefined) {
    run.idempotencyKey = expectType<string>(
      reader,
      'data',
      data.idempotencyKey,
      'string',
      'idempotencyKey',
    )
  }
  const endedAt = reader.optionalNumber('endedAt')
  if (endedAt !== undefined) run.endedAt = endedAt
  return run
}

// Tasks.

/**
 * A task as the scripts take it: 16 values in the order of `TASK_FIELDS` in the scripts. `data`
 * holds what never changes (JSON); the wait's kind, name, match fields and match key are
 * separate so that scripts can index and find waits.
 */
export function encodeTask(task: TaskRecord): string[] {
  const wait = task.wait
  const data: Record<string, unknown> = {
    id: task.id,
    runId: task.runId,
    workflowId: task.workflowId,
    workflowVersion: task.workflowVersion,
    nodeId: task.nodeId,
    key: task.key,
    path: task.path,
    input: task.input,
  }
  const isEvent = wait?.kind === 'event'
  if (wait !== undefined) {
    const stored: TaskWait = { kind: wait.kind }
    if (wait.name !== undefined) stored.name = wait.name
    if (wait.match !== undefined) stored.match = wait.match
    data.wait = stored
  }
  return [
    task.id,
    task.runId,
    task.key,
    JSON.stringify(data),
    String(task.attempt),
    String(task.availableAt),
    String(task.fence),
    task.leaseOwner ?? '',
    task.leaseExpiresAt === undefined ? '' : String(task.leaseExpiresAt),
    toJson(task.lastError),
    wait?.kind ?? '',
    wait?.name ?? '',
    isEvent ? waitMatchFields(wait.match) : '',
    isEvent ? waitMatchKey(wait.match) : '',
    toJson(wait?.resolution),
    task.parked === true ? '1' : '',
  ]
}

export function decodeTask(prefix: string, hash: Hash): TaskRecord {
  const reader = new HashReader(`${prefix}task:${hash.id ?? '?'}`, hash)
  const data = reader.object('data')
  const str = (name: string) => expectType<string>(reader, 'data', data[name], 'string', name)
  const task: TaskRecord = {
    id: str('id'),
    runId: str('runId'),
    workflowId: str('workflowId'),
    workflowVersion: str('workflowVersion'),
    nodeId: str('nodeId'),
    key: str('key'),
    path: expectType<number[]>(reader, 'data', data.path, 'array', 'path'),
    input: data.input,
    attempt: reader.number('attempt'),
    availableAt: reader.number('availableAt'),
    fence: reader.number('fence'),
  }
  const leaseOwner = reader.optionalString('leaseOwner')
  if (leaseOwner !== undefined) task.leaseOwner = leaseOwner
  const leaseExpiresAt = reader.optionalNumber('leaseExpiresAt')
  if (leaseExpiresAt !== undefined) task.leaseExpiresAt = leaseExpiresAt
  const lastError = reader.json('lastError')
  if (lastError !== undefined) task.lastError = lastError as SerializedError
  if (data.wait !== undefined) {
    const wait = { ...expectType<TaskWait>(reader, 'data', data.wait, 'object', 'wait') }
    const resolution = reader.json('res')
    if (resolution !== undefined) wait.resolution = resolution as WaitResolution
    task.wait = wait
  }
  if (hash.parked === '1') task.parked = true
  return task
}

// Steps.

export function decodeStep(prefix: string, runId: string, key: string, text: string): StepRecord {
  const reader = new HashReader(`${prefix}steps:${runId}`, { [key]: text })
  const step = reader.object(key)
  expectType<string>(reader, key, step.key, 'string', 'key')
  return step as unknown as StepRecord
}

// Scopes.

/** A scope as the scripts take it: key, expected, completed, closed, items, results. */
export function encodeScope(scope: ScopeRecord): string[] {
  const results = Object.entries(scope.results)
  const values = [
    scope.key,
    String(scope.expected),
    String(scope.completed),
    scope.closed ? '1' : '0',
    toJson(scope.items),
    String(results.length),
  ]
  for (const [index, output] of results) values.push(index, toJson(output))
  return values
}

export function scopeKeyOf(prefix: string, runId: string, key: string): string {
  return `${prefix}scope:${runId.length}:${runId}:${key}`
}

/** The child outputs of a scope from `index, output` pairs. */
export function decodeResults(reader: HashReader, flat: string[]): Record<number, unknown> {
  const results: Record<number, unknown> = {}
  for (let index = 0; index + 1 < flat.length; index += 2) {
    const field = `r:${flat[index]!}`
    const child = Number(flat[index]!)
    if (!Number.isInteger(child)) throw reader.corrupt(field, 'not a child index')
    results[child] = new HashReader(reader.key, { [field]: flat[index + 1]! }).json(field)
  }
  return results
}

export function decodeScope(prefix: string, runId: string, key: string, hash: Hash): ScopeRecord {
  const reader = new HashReader(scopeKeyOf(prefix, runId, key), hash)
  const flat: string[] = []
  for (const field of Object.keys(hash)) {
    if (field.startsWith('r:')) flat.push(field.slice(2), hash[field]!)
  }
  const scope: ScopeRecord = {
    runId,
    key,
    expected: reader.number('expected'),
    results: decodeResults(reader, flat),
    completed: reader.number('completed'),
    closed: reader.string('closed') === '1',
  }
  const items = reader.json('items')
  if (items !== undefined) {
    scope.items = expectType<unknown[]>(reader, 'items', items, 'array', 'items')
  }
  return scope
}
