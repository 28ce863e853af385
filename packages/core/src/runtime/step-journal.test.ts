import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  ConflictError,
  createMemoryStore,
  createStep,
  createWorkflow,
  InvalidArgumentError,
  StepFailedError,
  ValidationError,
  WaitTimeoutError,
  type RunHandle,
  type RunStatus,
  type StepSuspendEvent,
  type Duration,
} from '../index'
import { deferred, fakeClock, flush, rejectionOf, until, useEngines } from '../../test/helpers'

const engines = useEngines()
const text = z.object({ text: z.string() })

async function statusOf(run: RunHandle<unknown>, status: RunStatus): Promise<void> {
  for (let turn = 0; turn < 2000; turn++) {
    if ((await run.record()).status === status) return
    await new Promise((resolve) => setImmediate(resolve))
  }
  throw new Error(`run ${run.id} never became ${status}; it is ${(await run.record()).status}`)
}

describe('context.durable()', () => {
  it('a retried step replays recorded results instead of calling again', async () => {
    const calls = { paid: 0, attempts: 0 }
    const step = createStep({
      id: 'pay-then-fail',
      input: text,
      output: text,
      retry: { attempts: 3, backoff: { type: 'fixed', initial: '1ms' } },
      run: async ({ input, durable }) => {
        calls.attempts++
        const first = await durable('first-call', () => {
          calls.paid++
          return `${input.text}:${calls.paid}`
        })
        if (calls.attempts < 3) throw new Error('flaky after the paid call')
        return { text: first }
      },
    })
    const engine = engines()
    const run = await engine.start(createWorkflow({ id: 'j1', input: text }).then(step).commit(), {
      text: 'hi',
    })
    expect(await run.result()).toEqual({ text: 'hi:1' })
    expect(calls).toEqual({ paid: 1, attempts: 3 })
    const steps = await run.steps()
    expect(steps.map((record) => record.key).sort()).toEqual([
      'pay-then-fail',
      'pay-then-fail~d:first-call',
    ])
  })

  it('returns the value as the store keeps it (JSON), the same on the first run and a replay', async () => {
    const seen: unknown[] = []
    let attempt = 0
    const step = createStep({
      id: 'dates',
      input: text,
      output: text,
      retry: { attempts: 2, backoff: { type: 'fixed', initial: '1ms' } },
      run: async ({ durable }) => {
        attempt++
        seen.push(await durable('when', () => ({ at: new Date(0), gone: undefined })))
        seen.push(await durable('nothing', () => undefined))
        if (attempt === 1) throw new Error('again')
        return { text: 'ok' }
      },
    })
    const engine = engines()
    const run = await engine.start(createWorkflow({ id: 'j2', input: text }).then(step).commit(), {
      text: '',
    })
    await run.result()
    expect(seen).toEqual([
      { at: '1970-01-01T00:00:00.000Z' },
      undefined,
      { at: '1970-01-01T00:00:00.000Z' },
      undefined,
    ])
  })

  it('refuses a name used twice, a bad name and a value JSON cannot keep', async () => {
    const engine = engines()
    const cases: [string, (context: any) => Promise<unknown>][] = [
      ['twice', async ({ durable }) => (await durable('a', () => 1), durable('a', () => 2))],
      ['bad-name', ({ durable }) => durable('has space', () => 1)],
      ['bigint', ({ durable }) => durable('big', () => 1n)],
    ]
    for (const [id, body] of cases) {
      const step = createStep({
        id,
        input: text,
        output: text,
        run: async (context) => (await body(context), { text: 'unreachable' }),
      })
      const run = await engine.start(
        createWorkflow({ id: `j3-${id}`, input: text })
          .then(step)
          .commit(),
        {
          text: '',
        },
      )
      const error = await rejectionOf(run.result())
      expect(StepFailedError.isInstance(error), id).toBe(true)
      expect(InvalidArgumentError.isInstance((error as StepFailedError).cause), id).toBe(true)
    }
  })

  it('after a crash, the worker that recovers the task replays what the dead one recorded', async () => {
    const clock = fakeClock()
    const store = createMemoryStore()
    const hang = deferred()
    const calls = { model: 0, executions: 0 }
    const step = createStep({
      id: 'agent-like',
      input: text,
      output: text,
      run: async ({ durable }) => {
        calls.executions++
        const answer = await durable('model:0', () => {
          calls.model++
          return 'expensive answer'
        })
        if (calls.executions === 1) await hang.promise // the first worker "dies" here
        return { text: answer }
      },
    })
    const workflow = createWorkflow({ id: 'j4', input: text }).then(step).commit()
    // The first engine renews no lease (as if its process died right after the durable call).
    const first = engines({ store, clock, lease: 1000, recovery: false })
    const run = await first.start(workflow, { text: '' })
    await until(() => calls.executions === 1 && calls.model === 1, 'the first execution')
    const second = engines({
      store,
      clock,
      lease: 1000,
      recovery: { interval: 100, olderThan: 100 },
    })
    second.register(workflow)
    clock.advance(1500)
    for (let tick = 0; tick < 200 && (await run.record()).status !== 'succeeded'; tick++) {
      clock.advance(100)
      await flush(2)
    }
    expect(calls).toEqual({ model: 1, executions: 2 })
    hang.resolve()
  })
})

describe('context.approval()', () => {
  function refundWorkflow(id: string, options: { timeout?: Duration } = {}) {
    const calls = { drafted: 0, executions: 0 }
    const step = createStep({
      id: 'refund',
      input: z.object({ amount: z.number() }),
      output: z.object({ refunded: z.boolean(), note: z.string() }),
      run: async ({ input, durable, approval }) => {
        calls.executions++
        const draft = await durable('draft', () => {
          calls.drafted++
          return `refund ${input.amount}`
        })
        const decision = await approval('manager', {
          schema: z.object({ limit: z.number() }),
          ...(options.timeout ? { timeout: options.timeout } : {}),
        })
        return decision.approved
          ? {
              refunded: input.amount <= decision.data.limit,
              note: `${draft} (limit ${decision.data.limit}, by ${decision.by})`,
            }
          : { refunded: false, note: `${draft} rejected: ${decision.reason}` }
      },
    })
    return {
      workflow: createWorkflow({ id, input: z.object({ amount: z.number() }) })
        .then(step)
        .commit(),
      calls,
    }
  }

  it('suspends the run, and resumes it with the decision without redoing durable work', async () => {
    const { workflow, calls } = refundWorkflow('a1')
    const engine = engines()
    const suspended: StepSuspendEvent[] = []
    engine.on('step-suspend', (event) => suspended.push(event))
    const run = await engine.start(workflow, { amount: 40 })
    await statusOf(run, 'suspended')
    expect(suspended).toMatchObject([
      { stepId: 'refund', wait: { kind: 'approval', name: 'manager' } },
    ])
    await run.approve('manager', { limit: 50 }, { by: 'ana' })
    expect(await run.result()).toEqual({ refunded: true, note: 'refund 40 (limit 50, by ana)' })
    expect(calls).toEqual({ drafted: 1, executions: 2 })
    const keys = (await run.steps()).map((step) => step.key).sort()
    expect(keys).toEqual(['refund', 'refund~a:manager', 'refund~d:draft'])
  })

  it('a rejection comes back as a decision with the reason', async () => {
    const { workflow } = refundWorkflow('a2')
    const engine = engines()
    const run = await engine.start(workflow, { amount: 40 })
    await statusOf(run, 'suspended')
    await run.reject('manager', 'over budget')
    expect(await run.result()).toEqual({ refunded: false, note: 'refund 40 rejected: over budget' })
  })

  it('approving twice, or before the step asks, is a conflict; data the schema refuses fails the step', async () => {
    const { workflow } = refundWorkflow('a3')
    const engine = engines()
    const run = await engine.start(workflow, { amount: 40 })
    await statusOf(run, 'suspended')
    expect(ConflictError.isInstance(await rejectionOf(run.approve('someone-else')))).toBe(true)
    await run.approve('manager', { limit: 'lots' })
    expect(ConflictError.isInstance(await rejectionOf(run.approve('manager', { limit: 1 })))).toBe(
      true,
    )
    const error = await rejectionOf(run.result())
    expect(
      ValidationError.isInstance(error) ||
        ValidationError.isInstance((error as StepFailedError).cause),
    ).toBe(true)
  })

  it('with a timeout and no decision, the run fails with WaitTimeoutError', async () => {
    const clock = fakeClock()
    const { workflow } = refundWorkflow('a4', { timeout: '1h' })
    const engine = engines({ clock })
    const run = await engine.start(workflow, { amount: 1 })
    await statusOf(run, 'suspended')
    clock.advance(3_600_001)
    const error = await rejectionOf(run.result())
    const cause = StepFailedError.isInstance(error) ? error.cause : error
    expect(WaitTimeoutError.isInstance(cause)).toBe(true)
  })

  it('survives a new engine: the decision reaches a step suspended by another process', async () => {
    const store = createMemoryStore()
    const { workflow, calls } = refundWorkflow('a5')
    const first = engines({ store })
    const run = await first.start(workflow, { amount: 10 })
    await statusOf(run, 'suspended')
    await first.close()
    const second = engines({ store })
    second.register(workflow)
    await second.approve(run.id, 'manager', { limit: 100 })
    const again = await second.getRun(run.id)
    expect(await again.result()).toMatchObject({ refunded: true })
    expect(calls.drafted).toBe(1)
  })
})
