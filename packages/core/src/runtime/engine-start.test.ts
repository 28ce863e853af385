import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  ConflictError,
  EngineClosedError,
  InvalidArgumentError,
  NotFoundError,
  createEngine,
  createMemoryStore,
  createStep,
  createWorkflow,
} from '../index'
import { deferred, rejectionOf, thrownBy, until, useEngines } from '../../test/helpers'
import { double, inc, num } from '../../test/fixtures'

const seq = createWorkflow({ id: 'seq', input: z.object({ n: z.number() }) })
  .then(inc)
  .then(double)
  .then(inc)
  .commit()

const newEngine = useEngines()

describe('engine: idempotency', () => {
  it('the same idempotencyKey returns the same run, created false', async () => {
    const engine = newEngine()
    const first = await engine.start(seq, { n: 1 }, { idempotencyKey: 'order-1' })
    const second = await engine.start(seq, { n: 99 }, { idempotencyKey: 'order-1' })
    expect(first.created).toBe(true)
    expect(second.created).toBe(false)
    expect(second.id).toBe(first.id)
    expect(await second.result()).toEqual({ n: 5 })
    expect((await engine.listRuns()).runs).toHaveLength(1)
    expect((await first.record()).idempotencyKey).toBe('order-1')
  })

  it('idempotency keys are per workflow', async () => {
    const engine = newEngine()
    const other = createWorkflow({ id: 'other', input: z.object({ n: z.number() }) })
      .then(inc)
      .commit()
    const a = await engine.start(seq, { n: 1 }, { idempotencyKey: 'k' })
    const b = await engine.start(other, { n: 1 }, { idempotencyKey: 'k' })
    expect(b.created).toBe(true)
    expect(b.id).not.toBe(a.id)
  })

  it('reusing a runId returns the existing run', async () => {
    const engine = newEngine()
    const first = await engine.start(seq, { n: 1 }, { runId: 'run-1' })
    expect(first.id).toBe('run-1')
    await first.result()
    const second = await engine.start(seq, { n: 2 }, { runId: 'run-1' })
    expect(second.created).toBe(false)
    expect(second.id).toBe('run-1')
    expect(await second.result()).toEqual({ n: 5 })
  })

  it('rejects a malformed runId or idempotencyKey', async () => {
    const engine = newEngine()
    const badId = await rejectionOf(engine.start(seq, { n: 1 }, { runId: 'has space' }))
    expect(badId).toBeInstanceOf(InvalidArgumentError)
    expect(badId.message).toContain('engine.start: "options.runId"')
    const badKey = await rejectionOf(engine.start(seq, { n: 1 }, { idempotencyKey: '' }))
    expect(badKey).toBeInstanceOf(InvalidArgumentError)
    expect(badKey.message).toBe(
      'engine.start: "options.idempotencyKey" must be a non-empty string, received ""',
    )
  })
})

describe('engine: bad input to public functions', () => {
  it('start with an unknown workflow id throws NotFoundError listing the known ids', async () => {
    const other = createWorkflow({ id: 'other', input: z.object({ n: z.number() }) })
      .then(inc)
      .commit()
    const engine = newEngine({ workflows: [seq, other] })
    const error = await rejectionOf(engine.start('sequence', {}))
    expect(NotFoundError.isInstance(error)).toBe(true)
    expect(error.kind).toBe('workflow')
    expect(error.message).toBe('No workflow with id "sequence"; known: "seq", "other"')
  })

  it('start with something that is not a workflow throws InvalidArgumentError', async () => {
    const engine = newEngine()
    const error = await rejectionOf(engine.start(inc as any, { n: 1 }))
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect(error.message).toContain('engine.start: "workflow" must be a committed workflow')
  })

  it('createEngine rejects a bogus store or queue with a clear message', () => {
    const store = thrownBy(() => createEngine({ store: { provider: 'bogus' } as any }))
    expect(store).toBeInstanceOf(InvalidArgumentError)
    expect(store.message).toBe(
      'createEngine: "store" must be a StoreV1 implementation (missing createRun()), received an object',
    )
    const partial = thrownBy(() =>
      createEngine({ store: { ...createMemoryStore(), capabilities: undefined } as any }),
    )
    expect(partial).toBeInstanceOf(InvalidArgumentError)
    expect(partial.message).toContain(
      '"store" must be a StoreV1 implementation (missing capabilities)',
    )
    const queue = thrownBy(() => createEngine({ queue: 42 as any }))
    expect(queue).toBeInstanceOf(InvalidArgumentError)
    expect(queue.message).toContain('"queue" must be a QueueV1 implementation (missing publish())')
  })

  it('createEngine rejects bad options', () => {
    expect(thrownBy(() => createEngine(null as any)).message).toBe(
      'createEngine: "options" must be an object, received null',
    )
    expect(thrownBy(() => createEngine({ worker: { concurrency: 0 } })).message).toBe(
      'createEngine: "worker.concurrency" must be a positive integer, received 0',
    )
    expect(thrownBy(() => createEngine({ lease: '5 parsecs' as any })).message).toContain(
      '"createEngine.lease" must be a duration',
    )
  })

  it('register rejects things that are not components', () => {
    const engine = newEngine()
    const error = thrownBy(() => engine.register({ id: 'x' } as any))
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect(error.message).toBe(
      'engine.register: "component" must be a workflow, plugin, step, agent or connector, received an object',
    )
  })

  it('a closed engine rejects start with ConflictError', async () => {
    const engine = createEngine()
    await engine.close()
    const error = await rejectionOf(engine.start(seq, { n: 1 }))
    expect(ConflictError.isInstance(error)).toBe(true)
    expect(error.message).toBe('The engine is closed')
    await engine.close() // idempotent
  })

  it('close waits for running steps', async () => {
    const gate = deferred()
    let finished = false
    const slow = createStep({
      id: 'slow',
      input: z.object({}),
      output: z.object({}),
      run: async () => {
        await gate.promise
        finished = true
        return {}
      },
    })
    const engine = createEngine()
    const run = await engine.start(
      createWorkflow({ id: 'slow-wf', input: z.object({}) })
        .then(slow)
        .commit(),
      {},
    )
    await new Promise<void>((resolve) => run.on('step-start', () => resolve()))
    const closing = engine.close()
    gate.resolve()
    await closing
    expect(finished).toBe(true)
  })
})

describe('engine: workflow versions', () => {
  const gate = deferred()
  const waits = createStep({
    id: 'waits',
    input: num,
    output: num,
    run: async ({ input }) => {
      await gate.promise
      return input
    },
  })
  const v1 = createWorkflow({ id: 'versioned', input: num })
    .then(waits)
    .map(({ input }) => ({ n: input.n + 1 }))
    .commit()
  const v2 = createWorkflow({ id: 'versioned', input: num })
    .then(waits)
    .map(({ input }) => ({ n: input.n + 1000 }))
    .commit()

  it('a run stays pinned to the version it started with when a new one is registered', async () => {
    const engine = newEngine({ workflows: [v1] })
    const run = await engine.start('versioned', { n: 1 })
    const starts: string[] = []
    run.on('step-start', (event) => starts.push(event.stepId))
    await until(() => starts.length === 1, 'the step to start')
    engine.register(v2)
    expect(engine.registry.workflows.get('versioned')).toBe(v2)
    gate.resolve()
    expect(await run.result()).toEqual({ n: 2 })
    expect((await run.record()).workflowVersion).toBe(v1.version)
    expect(await (await engine.start('versioned', { n: 1 })).result()).toEqual({ n: 1001 })
  })

  it('an older version started after a newer one was registered runs its own inline functions', async () => {
    gate.resolve()
    const parent = createWorkflow({ id: 'parent', input: num }).then(v1).commit()
    const engine = newEngine()
    engine.register(parent) // registers v1 as parent's child
    engine.register(v2) // the newest "versioned"; its functions share v1's ids
    expect(await (await engine.start(v1, { n: 1 })).result()).toEqual({ n: 2 })
    expect(await (await engine.start(v2, { n: 1 })).result()).toEqual({ n: 1001 })
    expect(await (await engine.start(parent, { n: 1 })).result()).toEqual({ n: 2 })
  })
})

describe('engine.close with runs still going', () => {
  it('settles their results with EngineClosedError instead of leaving them pending', async () => {
    const flaky = createStep({
      id: 'flaky',
      input: z.object({ n: z.number() }),
      output: z.object({ n: z.number() }),
      retry: { attempts: 3, backoff: { type: 'fixed', initial: '1h', jitter: false } },
      run: () => {
        throw new Error('not yet')
      },
    })
    const engine = createEngine()
    const run = await engine.start(
      createWorkflow({ id: 'closing', input: z.object({ n: z.number() }) })
        .then(flaky)
        .commit(),
      { n: 1 },
    )
    const pending = run.result()
    await new Promise((resolve) => setImmediate(resolve))
    await new Promise((resolve) => setImmediate(resolve))
    await engine.close()
    const error = await pending.catch((reason: unknown) => reason)
    expect(EngineClosedError.isInstance(error)).toBe(true)
    expect((error as Error).message).toBe(
      `The engine was closed before run "${run.id}" ended; its result is not known here`,
    )
  })
})

describe('bad arguments to listeners and run lookups', () => {
  it('rejects unknown event names, non-function listeners and non-string run ids with InvalidArgumentError', async () => {
    const engine = createEngine()
    expect(() => engine.on('step-ended' as never, () => {})).toThrow(
      'engine.on: "event" must be one of "run-start", "run-end", "step-start", "step-end", "step-retry", "step-suspend", received "step-ended"',
    )
    expect(() => engine.on('step-end', 1 as never)).toThrow(
      'engine.on: "listener" must be a function, received 1',
    )
    const run = await engine.start(
      createWorkflow({ id: 'listeners', input: z.object({ n: z.number() }) }).commit(),
      { n: 1 },
    )
    expect(() => run.on('run-end', undefined as never)).toThrow(InvalidArgumentError)
    await expect(engine.getRun(undefined as never)).rejects.toThrow(
      'engine.getRun: "runId" must be a non-empty string, received undefined',
    )
    await expect(engine.cancel(123 as never)).rejects.toThrow(InvalidArgumentError)
    await engine.close()
  })
})
