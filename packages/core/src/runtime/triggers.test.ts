import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  ConflictError,
  ConnectorError,
  InvalidArgumentError,
  ValidationError,
  createWorkflow,
  type TriggerContext,
  type TriggerV1,
} from '../index'
import { deferred, fakeClock, rejectionOf, thrownBy, until, useEngines } from '../../test/helpers'
import { inc } from '../../test/fixtures'

const counter = createWorkflow({ id: 'trigger-counter', input: z.object({ n: z.number() }) })
  .then(inc)
  .commit()

/**
 * A trigger that hands its context to the test: the test plays the event source, while the
 * engine's side (registration, startRun, status, stop) is what runs for real.
 */
function probeTrigger(id = 'probe', start?: (context: TriggerContext) => Promise<void>) {
  const contexts: TriggerContext[] = []
  let stops = 0
  const trigger: TriggerV1 = {
    specificationVersion: 'v1',
    kind: 'trigger',
    type: 'probe',
    id,
    workflow: counter,
    async start(context) {
      contexts.push(context)
      await start?.(context)
      return {
        stop: async () => {
          stops++
        },
      }
    },
  }
  return {
    trigger,
    contexts,
    get stops() {
      return stops
    },
  }
}

const newEngine = useEngines()

describe('engine triggers', () => {
  it('starts triggers from createEngine; startRun creates one run per idempotency key', async () => {
    const probe = probeTrigger()
    const engine = newEngine({ triggers: [probe.trigger] })
    await until(() => engine.triggers[0]?.state === 'running', 'the trigger to run')
    const context = probe.contexts[0]!
    expect(context.workerId).toMatch(/^worker-/)
    expect(context.store).toBe(engine.store)
    const first = await context.startRun({ n: 1 }, { idempotencyKey: 'event-1' })
    const again = await context.startRun({ n: 1 }, { idempotencyKey: 'event-1' })
    const other = await context.startRun({ n: 5 }, { idempotencyKey: 'event-2' })
    expect(first.created).toBe(true)
    expect(again).toEqual({ runId: first.runId, created: false })
    expect(other.created).toBe(true)
    const run = await engine.getRun(first.runId)
    expect(await run.result()).toEqual({ n: 2 })
    // The key is scoped to the trigger, so an API caller's own keys never collide with it.
    expect((await run.record()).idempotencyKey).toBe('trigger:probe:event-1')
    expect(engine.triggers).toEqual([
      expect.objectContaining({
        id: 'probe',
        type: 'probe',
        workflowId: 'trigger-counter',
        state: 'running',
        runs: 2,
      }),
    ])
    expect(engine.registry.workflows.get('trigger-counter')).toBeDefined()
  })

  it('startRun resolves after the run is in the store', async () => {
    const probe = probeTrigger()
    const engine = newEngine()
    await engine.startTrigger(probe.trigger)
    const { runId } = await probe.contexts[0]!.startRun({ n: 1 }, { idempotencyKey: 'a' })
    expect((await engine.store.getRun(runId))?.workflowId).toBe('trigger-counter')
  })

  it('startRun rejects bad input with ValidationError and a missing key with InvalidArgumentError', async () => {
    const probe = probeTrigger()
    const engine = newEngine()
    await engine.startTrigger(probe.trigger)
    const context = probe.contexts[0]!
    expect(
      ValidationError.isInstance(
        await rejectionOf(context.startRun({ n: 'x' }, { idempotencyKey: 'a' })),
      ),
    ).toBe(true)
    const missing = await rejectionOf(context.startRun({ n: 1 }, {} as never))
    expect(missing).toBeInstanceOf(InvalidArgumentError)
    expect(missing.message).toMatch(/options\.idempotencyKey/)
    expect((await engine.listRuns()).runs).toHaveLength(0)
  })

  it('refuses duplicate trigger ids with ConflictError', async () => {
    const error = thrownBy(() =>
      newEngine({ triggers: [probeTrigger('same').trigger, probeTrigger('same').trigger] }),
    )
    expect(ConflictError.isInstance(error)).toBe(true)
    expect(error.message).toMatch(/"same"/)

    const engine = newEngine()
    await engine.startTrigger(probeTrigger('one').trigger)
    const again = await rejectionOf(engine.startTrigger(probeTrigger('one').trigger))
    expect(ConflictError.isInstance(again)).toBe(true)
  })

  it('refuses something that is not a trigger', async () => {
    const engine = newEngine()
    const error = await rejectionOf(engine.startTrigger({ id: 'x' } as never))
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect(error.message).toMatch(/engine\.startTrigger: "trigger" must be a TriggerV1/)
  })

  it('a failing start rejects startTrigger with a typed error; the id is free again', async () => {
    const engine = newEngine()
    const failing = probeTrigger('flaky', async () => {
      throw new Error('broker unreachable')
    })
    const error = await rejectionOf(engine.startTrigger(failing.trigger))
    expect(ConnectorError.isInstance(error)).toBe(true)
    expect(error.message).toMatch(/broker unreachable/)
    expect(engine.triggers[0]).toMatchObject({
      id: 'flaky',
      state: 'failed',
      error: { message: expect.stringMatching(/broker unreachable/) },
    })
    const working = probeTrigger('flaky')
    await engine.startTrigger(working.trigger)
    expect(engine.triggers[0]).toMatchObject({ state: 'running' })
    expect(engine.triggers[0]!.error).toBeUndefined()
  })

  it('a trigger from createEngine that fails to start is retried with backoff', async () => {
    const clock = fakeClock()
    let attempts = 0
    const probe = probeTrigger('retrying', async () => {
      attempts++
      if (attempts < 3)
        throw new ConnectorError({
          connector: 'x',
          action: 'start',
          reason: 'network',
          message: 'down',
        })
    })
    const engine = newEngine({ clock, triggers: [probe.trigger], recovery: false })
    await until(() => engine.triggers[0]?.state === 'failed', 'the first failure')
    expect(engine.triggers[0]!.error?.message).toMatch(/down/)
    expect(clock.pending()).toContain(1000)
    clock.advance(1000)
    await until(
      () => attempts === 2 && engine.triggers[0]?.state === 'failed',
      'the second failure',
    )
    expect(clock.pending()).toContain(2000)
    clock.advance(2000)
    await until(() => engine.triggers[0]?.state === 'running', 'the third attempt')
    expect(attempts).toBe(3)
  })

  it('engines without a worker do not start triggers unless startTriggers is true', async () => {
    const idle = probeTrigger('idle')
    const apiOnly = newEngine({ worker: false, triggers: [idle.trigger] })
    const forced = probeTrigger('forced')
    const engine = newEngine({ worker: false, startTriggers: true, triggers: [forced.trigger] })
    await until(() => engine.triggers[0]?.state === 'running', 'the forced trigger')
    // By now the idle engine had every chance to start its trigger too.
    await until(() => forced.contexts.length === 1, 'the forced start')
    expect(idle.contexts).toHaveLength(0)
    expect(apiOnly.triggers[0]).toMatchObject({ id: 'idle', state: 'starting', runs: 0 })
    // Its workflow is registered all the same, and startTrigger still starts it.
    expect(apiOnly.registry.workflows.get('trigger-counter')).toBeDefined()
    await apiOnly.startTrigger(idle.trigger)
    expect(idle.contexts).toHaveLength(1)
    expect(apiOnly.triggers[0]).toMatchObject({ id: 'idle', state: 'running' })
  })

  it('close() aborts the signal, stops the subscription, waits for in-flight starts, then refuses', async () => {
    const probe = probeTrigger()
    const engine = newEngine()
    await engine.startTrigger(probe.trigger)
    const context = probe.contexts[0]!
    const inFlight = context.startRun({ n: 1 }, { idempotencyKey: 'last' })
    await engine.close()
    expect(context.signal.aborted).toBe(true)
    expect(probe.stops).toBe(1)
    expect((await inFlight).created).toBe(true)
    expect(engine.triggers[0]!.state).toBe('stopped')
    const late = await rejectionOf(context.startRun({ n: 1 }, { idempotencyKey: 'late' }))
    expect(ConflictError.isInstance(late)).toBe(true)
  })

  it('close() right after createEngine stops its triggers; startTrigger after close is refused', async () => {
    const probe = probeTrigger('early')
    const engine = newEngine({ triggers: [probe.trigger] })
    await engine.close()
    expect(engine.triggers).toEqual([expect.objectContaining({ id: 'early', state: 'stopped' })])
    // Never started, or started and stopped: nothing listens any more.
    expect(probe.contexts.every((context) => context.signal.aborted)).toBe(true)
    expect(probe.stops).toBe(probe.contexts.length)
    const late = await rejectionOf(engine.startTrigger(probeTrigger('late').trigger))
    expect(ConflictError.isInstance(late)).toBe(true)
  })

  it('the subscription stops one trigger; close() while a start is pending releases it', async () => {
    const engine = newEngine()
    const probe = probeTrigger('a')
    const subscription = await engine.startTrigger(probe.trigger)
    await subscription.stop()
    expect(probe.stops).toBe(1)
    expect(engine.triggers[0]!.state).toBe('stopped')

    const gate = deferred<void>()
    const slow = probeTrigger('slow', () => gate.promise)
    const starting = engine.startTrigger(slow.trigger)
    const closing = engine.close()
    gate.resolve()
    await closing
    await starting
    expect(slow.stops).toBe(1)
    expect(engine.triggers.map((trigger) => trigger.state)).toEqual(['stopped', 'stopped'])
  })
})
