import type { RunRecord, ScopeRecord, TaskRecord } from '../ports/store-v1'

let counter = 0

/** A unique id for conformance fixtures, so suites can share one database. */
export function uniqueId(prefix: string): string {
  counter++
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}`
}

/** A running run record. */
export function runFixture(overrides: Partial<RunRecord> = {}): RunRecord {
  const now = Date.now()
  return {
    id: uniqueId('run'),
    workflowId: 'conformance',
    workflowVersion: 'v1',
    status: 'running',
    input: { n: 0, nested: { list: [1, 2, 3] } },
    createdAt: now,
    updatedAt: now,
    ...overrides,
  }
}

/** A task of `run` for node `nodeId`. */
export function taskFixture(
  run: RunRecord,
  nodeId: string,
  overrides: Partial<TaskRecord> = {},
): TaskRecord {
  return {
    id: `${run.id}/${nodeId}`,
    runId: run.id,
    workflowId: run.workflowId,
    workflowVersion: run.workflowVersion,
    nodeId,
    key: nodeId,
    path: [],
    input: { n: 1 },
    attempt: 1,
    availableAt: Date.now() - 1,
    fence: 0,
    ...overrides,
  }
}

/** An open scope of `run`. */
export function scopeFixture(
  run: RunRecord,
  key: string,
  expected: number,
  items?: unknown[],
): ScopeRecord {
  return {
    runId: run.id,
    key,
    expected,
    results: {},
    completed: 0,
    closed: false,
    ...(items ? { items } : {}),
  }
}

/**
 * What a call threw or rejected with (store calls may answer synchronously: see `Awaitable`).
 * Fails when the call succeeds.
 *
 * @example
 * ```ts
 * const error = await errorOf(() => store.commit({ runId: 'missing' }))
 * expect(NotFoundError.isInstance(error)).toBe(true)
 * ```
 */
export async function errorOf(call: () => unknown): Promise<unknown> {
  try {
    await call()
  } catch (error) {
    return error
  }
  throw new Error('Expected the call to fail, but it succeeded')
}
