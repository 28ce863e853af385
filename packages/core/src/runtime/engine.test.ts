import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  NotFoundError,
  StepFailedError,
  createInProcessQueue,
  createMemoryStore,
  createStep,
  createWorkflow,
  type EngineEvent,
} from '../index'
import { flush, recordEvents, rejectionOf, settleWithin, useEngines } from '../../test/helpers'
import { double, inc } from '../../test/fixtures'

const seq = createWorkflow({ id: 'seq', input: z.object({ n: z.number() }) })
  .then(inc)
  .then(double)
  .then(inc)
  .commit()

const newEngine = useEngines()

describe('engine: sequence', () => {
  it('runs steps in order, each receiving the previous output', async () => {
    const engine = newEngine()
    const run = await engine.start(seq, { n: 1 })
    expect(run.created).toBe(true)
    expect(run.workflowId).toBe('seq')
    // (1 + 1) * 2 + 1: any other order gives another number
    expect(await run.result()).toEqual({ n: 5 })
  })

  it('names repeated steps with suffixes in events and records', async () => {
    const wf = createWorkflow({ id: 'triple', input: z.object({ n: z.number() }) })
      .then(inc)
      .then(inc)
      .then(inc)
      .commit()
    const engine = newEngine()
    const run = await engine.start(wf, { n: 0 })
    const ends: string[] = []
    run.on('step-end', (event) => ends.push(event.stepId))
    expect(await run.result()).toEqual({ n: 3 })
    expect(ends).toEqual(['inc', 'inc-1', 'inc-2'])
    expect((await run.steps()).map((step) => step.key)).toEqual(['inc', 'inc-1', 'inc-2'])
  })

  it('starts a registered workflow by id', async () => {
    const engine = newEngine({ workflows: [seq] })
    const run = await engine.start('seq', { n: 0 })
    expect(await run.result()).toEqual({ n: 3 })
  })
})

describe('engine: events', () => {
  it('emits run-start, step-start, step-end per step and run-end, in order, with their fields', async () => {
    const engine = newEngine()
    const run = await engine.start(seq, { n: 1 })
    const events = recordEvents(run)
    await run.result()
    expect(
      events.map((event) => `${event.type}${'stepId' in event ? ':' + event.stepId : ''}`),
    ).toEqual([
      'run-start',
      'step-start:inc',
      'step-end:inc',
      'step-start:double',
      'step-end:double',
      'step-start:inc-1',
      'step-end:inc-1',
      'run-end',
    ])
    for (const event of events) {
      expect(event.runId).toBe(run.id)
      expect(event.workflowId).toBe('seq')
      expect(typeof event.at).toBe('number')
    }
    expect(events[0]).toMatchObject({ type: 'run-start', input: { n: 1 } })
    expect(events[1]).toMatchObject({ type: 'step-start', key: 'inc', attempt: 1, input: { n: 1 } })
    expect(events[4]).toMatchObject({
      type: 'step-end',
      stepId: 'double',
      status: 'succeeded',
      output: { n: 4 },
    })
    expect(
      (events[4] as Extract<EngineEvent, { type: 'step-end' }>).durationMs,
    ).toBeGreaterThanOrEqual(0)
    expect(events[7]).toMatchObject({ type: 'run-end', status: 'succeeded', output: { n: 5 } })
    expect(events[7]).not.toHaveProperty('error')
  })

  it('reports a failed run with a serialised error in run-end and step-end', async () => {
    const boom = createStep({
      id: 'boom',
      input: z.object({ n: z.number() }),
      output: z.object({ n: z.number() }),
      run: () => {
        throw new Error('kaput')
      },
    })
    const wf = createWorkflow({ id: 'fails', input: z.object({ n: z.number() }) })
      .then(inc)
      .then(boom)
      .commit()
    const engine = newEngine()
    const run = await engine.start(wf, { n: 0 })
    const events = recordEvents(run)
    await rejectionOf(run.result())
    expect(events.map((event) => event.type)).toEqual([
      'run-start',
      'step-start',
      'step-end',
      'step-start',
      'step-end',
      'run-end',
    ])
    expect(events[4]).toMatchObject({
      stepId: 'boom',
      status: 'failed',
      error: { message: 'kaput' },
    })
    expect(events[5]).toMatchObject({ status: 'failed', error: { code: 'step_failed' } })
  })

  it('delivers a run’s events only to that run’s handles, and all runs’ events to engine.on', async () => {
    const engine = newEngine()
    const engineEvents: EngineEvent[] = []
    engine.on('step-end', (event) => engineEvents.push(event))
    // Listeners are attached right after each start (the documented guarantee): with a store
    // doing I/O, a's first events may fire while b's start is still awaiting the store.
    const a = await engine.start(seq, { n: 1 })
    const aEvents = recordEvents(a)
    const b = await engine.start(seq, { n: 10 })
    const bEvents = recordEvents(b)
    await Promise.all([a.result(), b.result()])
    expect(aEvents.length).toBe(8)
    expect(bEvents.length).toBe(8)
    expect(aEvents.every((event) => event.runId === a.id)).toBe(true)
    expect(bEvents.every((event) => event.runId === b.id)).toBe(true)
    expect(engineEvents.filter((event) => event.runId === a.id)).toHaveLength(3)
    expect(engineEvents.filter((event) => event.runId === b.id)).toHaveLength(3)
  })

  it('engine.off removes a listener', async () => {
    const engine = newEngine()
    const seen: string[] = []
    const listener = (event: EngineEvent) => seen.push(event.type)
    engine.on('run-end', listener)
    await (await engine.start(seq, { n: 0 })).result()
    engine.off('run-end', listener)
    await (await engine.start(seq, { n: 0 })).result()
    expect(seen).toEqual(['run-end'])
  })

  it('a throwing listener does not break the run', async () => {
    const engine = newEngine()
    engine.on('step-end', () => {
      throw new Error('listener bug')
    })
    const run = await engine.start(seq, { n: 1 })
    expect(await run.result()).toEqual({ n: 5 })
  })
})

describe('engine: isolation', () => {
  it('two engines share no registry, store or runs', async () => {
    const otherInc = createStep({
      id: 'inc',
      input: z.object({ n: z.number() }),
      output: z.object({ n: z.number() }),
      run: ({ input }) => ({ n: input.n + 100 }),
    })
    const other = createWorkflow({ id: 'seq', input: z.object({ n: z.number() }) })
      .then(otherInc)
      .commit()
    const a = newEngine({ workflows: [seq] })
    const b = newEngine({ workflows: [other] })
    expect(a.id).not.toBe(b.id)
    expect(a.registry.steps.get('inc')).toBe(inc)
    expect(b.registry.steps.get('inc')).toBe(otherInc)
    expect(b.registry.steps.has('double')).toBe(false)
    const runA = await a.start('seq', { n: 0 })
    const runB = await b.start('seq', { n: 0 })
    expect(await runA.result()).toEqual({ n: 3 })
    expect(await runB.result()).toEqual({ n: 100 })
    expect(await rejectionOf(b.getRun(runA.id))).toBeInstanceOf(NotFoundError)
    expect((await a.listRuns()).runs.map((run) => run.id)).toEqual([runA.id])
  })
})

describe('engine: runs, records and history', () => {
  it('getRun returns a handle whose result, record and steps match the run', async () => {
    const engine = newEngine()
    const run = await engine.start(seq, { n: 1 })
    await run.result()
    const again = await engine.getRun(run.id)
    expect(again.id).toBe(run.id)
    expect(again.created).toBe(false)
    expect(again.workflowId).toBe('seq')
    expect(await again.result()).toEqual({ n: 5 })
    const record = await again.record()
    expect(record).toMatchObject({
      id: run.id,
      workflowId: 'seq',
      workflowVersion: seq.version,
      status: 'succeeded',
    })
    expect(record.input).toEqual({ n: 1 })
    expect(record.output).toEqual({ n: 5 })
    expect(record.endedAt).toBeGreaterThanOrEqual(record.createdAt)
    const steps = await again.steps()
    expect(
      steps.map((step) => [step.key, step.nodeId, step.status, step.attempts, step.output]),
    ).toEqual([
      ['inc', 'inc', 'succeeded', 1, { n: 2 }],
      ['double', 'double', 'succeeded', 1, { n: 4 }],
      ['inc-1', 'inc-1', 'succeeded', 1, { n: 5 }],
    ])
  })

  it('result() called after the run ended rejects with the original error, fields and cause intact', async () => {
    const boom = createStep({
      id: 'boom',
      input: z.object({ n: z.number() }),
      output: z.object({ n: z.number() }),
      run: () => {
        throw new TypeError('kaput')
      },
    })
    const wf = createWorkflow({ id: 'ends-early', input: z.object({ n: z.number() }) })
      .then(boom)
      .commit()
    const engine = newEngine()
    const run = await engine.start(wf, { n: 0 })
    await new Promise<void>((resolve) => run.on('run-end', () => resolve()))
    const error = await rejectionOf(run.result())
    expect(error).toBeInstanceOf(StepFailedError)
    expect(error.stepId).toBe('boom')
    expect(error.attempts).toBe(1)
    expect(error.cause).toBeInstanceOf(TypeError)
    // a handle for the ended run, from the store, still identifies the error
    const revived = await rejectionOf((await engine.getRun(run.id)).result())
    expect(StepFailedError.isInstance(revived)).toBe(true)
    expect(revived.message).toBe(error.message)
    expect(revived.details()).toEqual({ workflowId: 'ends-early', stepId: 'boom', attempts: 1 })
  })

  it('getRun of an unknown id throws NotFoundError', async () => {
    const engine = newEngine()
    const error = await rejectionOf(engine.getRun('nope'))
    expect(NotFoundError.isInstance(error)).toBe(true)
    expect(error.message).toBe('No run with id "nope"')
  })

  it('listRuns filters by workflow and status', async () => {
    const engine = newEngine()
    const other = createWorkflow({ id: 'other', input: z.object({ n: z.number() }) })
      .then(inc)
      .commit()
    const runs = [
      await engine.start(seq, { n: 0 }),
      await engine.start(seq, { n: 1 }),
      await engine.start(other, { n: 2 }),
    ]
    await Promise.all(runs.map((run) => run.result()))
    const bySeq = await engine.listRuns({ workflowId: 'seq' })
    expect(bySeq.runs.map((run) => run.id).sort()).toEqual([runs[0]!.id, runs[1]!.id].sort())
    expect((await engine.listRuns({ status: 'failed' })).runs).toEqual([])
    expect((await engine.listRuns({ status: 'succeeded' })).runs).toHaveLength(3)
  })

  it('history grows linearly: N steps make N step records', async () => {
    const engine = newEngine()
    for (const size of [1, 10, 40]) {
      let builder = createWorkflow({
        id: `chain-${size}`,
        input: z.object({ n: z.number() }),
      }) as any
      for (let index = 0; index < size; index++) builder = builder.then(inc)
      const run = await engine.start(builder.commit(), { n: 0 })
      expect(await run.result()).toEqual({ n: size })
      const steps = await run.steps()
      expect(steps).toHaveLength(size)
      expect(new Set(steps.map((step) => step.key)).size).toBe(size)
      // only outputs are kept, never snapshots: each record holds one step's output
      expect(steps.at(-1)!.output).toEqual({ n: size })
    }
  })
})

describe('engine: observers (worker: false)', () => {
  it('an engine without a worker starts runs that another engine executes, and sees their end', async () => {
    const store = createMemoryStore()
    const queue = createInProcessQueue()
    let executedBy: string | undefined
    const tagged = createStep({
      id: 'tagged',
      input: z.object({ n: z.number() }),
      output: z.object({ n: z.number() }),
      run: async ({ input, runId }) => {
        executedBy = runId
        return { n: input.n * 10 }
      },
    })
    const wf = createWorkflow({ id: 'observed', input: z.object({ n: z.number() }) })
      .then(tagged)
      .commit()
    const observer = newEngine({
      store,
      queue,
      worker: false,
      resultPollInterval: 5,
      workflows: [wf],
    })
    const run = await observer.start(wf, { n: 4 })
    const ends: EngineEvent[] = []
    run.on('run-end', (event) => ends.push(event))
    await flush()
    expect(executedBy).toBeUndefined() // nobody executes it yet
    newEngine({ store, queue, workflows: [wf] })
    expect(await settleWithin(run.result())).toEqual({ n: 40 })
    expect(executedBy).toBe(run.id)
    expect(ends).toMatchObject([{ type: 'run-end', status: 'succeeded', output: { n: 40 } }])
  })
})
