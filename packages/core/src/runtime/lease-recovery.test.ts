import { describe, expect, it } from 'vitest'
import {
  RunCancelledError,
  createInProcessQueue,
  createMemoryStore,
  createStep,
  createWorkflow,
  StoreError,
  type Logger,
  type QueueV1,
  type StoreV1,
} from '../index'
import {
  deferred,
  fakeClock,
  flush,
  rejectionOf,
  settleWithin,
  until,
  useEngines,
} from '../../test/helpers'
import { num } from '../../test/fixtures'

const newEngine = useEngines()

describe('leases and recovery', () => {
  it('a step running longer than the lease keeps it (heartbeat): recovery never runs it twice', async () => {
    const clock = fakeClock()
    const gate = deferred()
    let executions = 0
    const slow = createStep({
      id: 'slow',
      input: num,
      output: num,
      run: async ({ input }) => {
        executions++
        await gate.promise
        return input
      },
    })
    const engine = newEngine({ clock, lease: 1000, recovery: { interval: 100, olderThan: 100 } })
    const run = await engine.start(createWorkflow({ id: 'long', input: num }).then(slow).commit(), {
      n: 1,
    })
    await until(() => executions === 1, 'the step to start')
    try {
      for (let tick = 0; tick < 50; tick++) {
        clock.advance(100) // 5 s in all: five leases
        await flush(3)
      }
      expect(executions).toBe(1)
    } finally {
      gate.resolve() // lets engine.close() finish even when the assertion fails
    }
    expect(await run.result()).toEqual({ n: 1 })
    expect((await run.steps())[0]).toMatchObject({ status: 'succeeded', attempts: 1 })
  })

  it('recovery republishes a task whose message was lost', async () => {
    const clock = fakeClock()
    const inner = createInProcessQueue({ clock })
    let dropped = 0
    const lossy: QueueV1 = {
      ...inner,
      publish(messages) {
        if (dropped === 0) {
          dropped++
          return
        }
        return inner.publish(messages)
      },
    }
    const inc = createStep({
      id: 'inc',
      input: num,
      output: num,
      run: async ({ input }) => ({ n: input.n + 1 }),
    })
    const engine = newEngine({ clock, queue: lossy, recovery: { interval: 100, olderThan: 500 } })
    const run = await engine.start(createWorkflow({ id: 'lossy', input: num }).then(inc).commit(), {
      n: 1,
    })
    await flush()
    expect(dropped).toBe(1)
    expect((await run.record()).status).toBe('running')
    expect(await engine.recover()).toBe(0) // not stale yet
    for (let tick = 0; tick < 8; tick++) {
      clock.advance(100)
      await flush(3)
    }
    expect(await settleWithin(run.result())).toEqual({ n: 2 })
    await inner.close()
  })
})

describe('cancellation in the engine that executes the step', () => {
  it('aborts the step even when another engine started the run', async () => {
    const store = createMemoryStore()
    const queue = createInProcessQueue()
    const reasons: unknown[] = []
    const waits = createStep({
      id: 'waits',
      input: num,
      output: num,
      run: ({ signal }) =>
        new Promise<{ n: number }>((_, reject) => {
          signal.addEventListener('abort', () => {
            reasons.push(signal.reason)
            reject(signal.reason)
          })
        }),
    })
    const wf = createWorkflow({ id: 'elsewhere', input: num }).then(waits).commit()
    const starter = newEngine({
      store,
      queue,
      worker: false,
      resultPollInterval: 5,
      workflows: [wf],
    })
    const worker = newEngine({ store, queue, workflows: [wf] })
    let started = 0
    worker.on('step-start', () => started++)
    const run = await starter.start(wf, { n: 1 })
    await until(() => started === 1, 'the step to start in the worker')
    await worker.cancel(run.id, 'from the worker')
    await flush()
    expect(reasons).toHaveLength(1)
    expect(RunCancelledError.isInstance(reasons[0])).toBe(true)
    const error = await rejectionOf(settleWithin(run.result()))
    expect(RunCancelledError.isInstance(error)).toBe(true)
    expect(error.message).toBe(`Run "${run.id}" was cancelled: from the worker`)
  })
})

describe('failures outside steps', () => {
  it('logs a store failure while handling a task, and the queue delivers the task again', async () => {
    const inner = createMemoryStore()
    let failures = 1
    const flaky: StoreV1 = {
      ...inner,
      claimTask(input) {
        if (failures > 0) {
          failures--
          throw new StoreError('flaky', 'connection reset')
        }
        return inner.claimTask(input)
      },
    }
    const errors: { message: string; fields: Record<string, unknown> | undefined }[] = []
    const logger: Logger = {
      debug() {},
      info() {},
      warn() {},
      error(message, fields) {
        errors.push({ message, fields })
      },
      child() {
        return logger
      },
    }
    const add = createStep({
      id: 'add',
      input: num,
      output: num,
      run: ({ input }) => ({ n: input.n + 1 }),
    })
    const wf = createWorkflow({ id: 'flaky-store', input: num }).then(add).commit()
    const engine = newEngine({
      store: flaky,
      queue: createInProcessQueue({ redeliveryDelayMs: 5 }),
      logger,
    })
    const run = await engine.start(wf, { n: 1 })
    expect(await settleWithin(run.result())).toEqual({ n: 2 })
    expect(errors).toHaveLength(1)
    expect(errors[0]!.message).toBe('Handling a task failed; the queue will deliver it again')
    expect(errors[0]!.fields).toMatchObject({
      runId: run.id,
      error: { code: 'store_error', message: '[flaky] connection reset' },
    })
  })
})
