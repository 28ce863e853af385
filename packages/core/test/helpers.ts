// Test support for the core engine's unit tests (not published: outside src/).
import { afterEach } from 'vitest'
import {
  createEngine,
  createMemoryStore,
  type StoreV1,
  type Engine,
  type EngineEvent,
  type EngineOptions,
  type RunHandle,
} from '../src/index'
import { createManualClock, type ManualClock } from '../src/testing/manual-clock'

/** A promise with its resolve and reject exposed. */
export interface Deferred<T> {
  promise: Promise<T>
  resolve: (value: T) => void
  reject: (error: unknown) => void
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok
    reject = fail
  })
  return { promise, resolve, reject }
}

/** Lets the event loop turn `turns` times (microtasks, then a macrotask each). No wall time. */
export async function flush(turns = 5): Promise<void> {
  for (let turn = 0; turn < turns; turn++) await new Promise((resolve) => setImmediate(resolve))
}

/**
 * Turns the event loop until `predicate` holds. Fails after `maxTurns` turns, but never sooner
 * than 10 s of wall time: turns measure the code under test, yet a first dynamic import (the
 * engine loads its trigger runtime lazily) takes wall time on a busy machine, not turns.
 */
export async function until(
  predicate: () => boolean,
  what = 'condition',
  maxTurns = 5000,
): Promise<void> {
  const floor = Date.now() + 10_000
  for (let turn = 0; turn < maxTurns || Date.now() < floor; turn++) {
    if (predicate()) return
    await new Promise((resolve) => setImmediate(resolve))
  }
  throw new Error(`Timed out waiting for ${what}`)
}

/**
 * A barrier: `arrive()` resolves once `parties` callers have arrived. If they never all arrive
 * (the callers did not run concurrently) it rejects after a fail-safe delay, so the test fails
 * with a clear message instead of hanging. The delay is never what a passing test measures.
 */
export function barrier(parties: number, failSafeMs = 3000) {
  let arrived = 0
  const open = deferred<void>()
  const timer = setTimeout(
    () => open.reject(new Error(`barrier: only ${arrived} of ${parties} parties arrived`)),
    failSafeMs,
  )
  return {
    get arrived() {
      return arrived
    },
    arrive(): Promise<void> {
      arrived++
      if (arrived === parties) {
        clearTimeout(timer)
        open.resolve()
      }
      return open.promise
    },
  }
}

/** A manual clock: time moves only with `advance`, which fires due timers in order. */
export type FakeClock = ManualClock

export function fakeClock(start = 1_000_000): FakeClock {
  return createManualClock(start)
}

/**
 * The memory store behind a facade whose every method answers with a promise settled on a later
 * macrotask, as a store that does I/O would. The engine has a synchronous fast path for stores
 * that answer at once; the `core-async-store` test project runs the runtime tests through this
 * facade so that the promise path is held to the same tests.
 */
export function asyncStore(inner: StoreV1 = createMemoryStore()): StoreV1 {
  const later = <T>(call: () => T | Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) =>
      setImmediate(() => {
        try {
          Promise.resolve(call()).then(resolve, reject)
        } catch (error) {
          reject(error)
        }
      }),
    )
  return {
    specificationVersion: 'v1',
    provider: `${inner.provider}+async`,
    capabilities: inner.capabilities,
    createRun: (input) => later(() => inner.createRun(input)),
    getRun: (runId) => later(() => inner.getRun(runId)),
    listRuns: (query) => later(() => inner.listRuns(query)),
    getRunHistory: (runId) => later(() => inner.getRunHistory(runId)),
    getScope: (runId, key) => later(() => inner.getScope(runId, key)),
    claimTask: (input) => later(() => inner.claimTask(input)),
    renewTask: (input) => later(() => inner.renewTask(input)),
    commit: (input) => later(() => inner.commit(input)),
    listStaleTasks: (input) => later(() => inner.listStaleTasks(input)),
    deliverEvent: (input) => later(() => inner.deliverEvent(input)),
    resolveWait: (input) => later(() => inner.resolveWait(input)),
    reopenRun: (input) => later(() => inner.reopenRun(input)),
    purgeRuns: (input) => later(() => inner.purgeRuns(input)),
    ...(inner.appendThreadMessages && inner.getThread && inner.summarizeThread && inner.deleteThread
      ? {
          appendThreadMessages: (input) => later(() => inner.appendThreadMessages!(input)),
          getThread: (input) => later(() => inner.getThread!(input)),
          summarizeThread: (input) => later(() => inner.summarizeThread!(input)),
          deleteThread: (input) => later(() => inner.deleteThread!(input)),
        }
      : {}),
    close: () => later(() => inner.close()),
  }
}

/** Engines created by a test file, closed after each test. */
export function useEngines(): (options?: EngineOptions) => Engine {
  const engines: Engine[] = []
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.close()))
  })
  return (options) => {
    // Under TESSERA_TEST_STORE=async, engines without a store of their own get the async facade.
    const store =
      options?.store === undefined && process.env.TESSERA_TEST_STORE === 'async'
        ? asyncStore()
        : options?.store
    const engine = createEngine({ ...options, ...(store ? { store } : {}) })
    engines.push(engine)
    return engine
  }
}

/** Records every lifecycle event of a handle (or an engine), in order. */
export function recordEvents(target: RunHandle<unknown> | Engine): EngineEvent[] {
  const events: EngineEvent[] = []
  const names = [
    'run-start',
    'step-start',
    'step-end',
    'step-retry',
    'step-suspend',
    'run-end',
  ] as const
  for (const name of names) {
    ;(target as RunHandle<unknown>).on(name, (event: EngineEvent) => events.push(event))
  }
  return events
}

/** The rejection of `promise` (fails if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<any> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the promise to reject, but it resolved')
}

/** The error thrown by `fn` (fails if it returns). */
export function thrownBy(fn: () => unknown): any {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected the function to throw, but it returned')
}

/** `promise`, or a rejection if it has not settled after a fail-safe delay (a hang fails fast). */
export function settleWithin<T>(promise: Promise<T>, failSafeMs = 3000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const failSafe = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`did not settle within ${failSafeMs} ms (hung?)`)),
      failSafeMs,
    )
  })
  return Promise.race([promise, failSafe]).finally(() => clearTimeout(timer))
}
