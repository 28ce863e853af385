import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  ConflictError,
  createStep,
  createWorkflow,
  NotFoundError,
  ValidationError,
  WaitTimeoutError,
  workflowFromDefinition,
  type Engine,
  type RunHandle,
  type RunStatus,
} from '../index'
import { inc, num } from '../../test/fixtures'
import { useEngines } from '../../test/helpers'

const engines = useEngines()

/** Polls the stored status (the store derives `suspended`) until it is `status`. */
async function statusOf(run: RunHandle<unknown>, status: RunStatus): Promise<void> {
  for (let turn = 0; turn < 2000; turn++) {
    if ((await run.record()).status === status) return
    await new Promise((resolve) => setImmediate(resolve))
  }
  throw new Error(`run ${run.id} never became ${status}; it is ${(await run.record()).status}`)
}

const order = z.object({ orderId: z.string() })
const payment = z.object({ orderId: z.string(), amount: z.number() })

/** Counts its executions: completed steps must never run again. */
function counted(id: string) {
  const calls = { count: 0 }
  const step = createStep({
    id,
    input: order,
    output: order,
    run: ({ input }) => {
      calls.count++
      return input
    },
  })
  return { step, calls }
}

describe('sleep', () => {
  it('suspends the run for the duration, then continues with the same input', async () => {
    const engine = engines()
    const workflow = createWorkflow({ id: 'nap', input: num }).sleep('30ms').then(inc).commit()
    const run = await engine.start(workflow, { n: 1 })
    await statusOf(run, 'suspended')
    expect(await run.result()).toEqual({ n: 2 })
    const steps = await run.steps()
    expect(steps.map((step) => step.nodeId)).toEqual(['sleep', 'inc'])
  })

  it('sleeps until the time a function returns, computed from the input', async () => {
    const engine = engines()
    const workflow = createWorkflow({ id: 'alarm', input: z.object({ at: z.number() }) })
      .sleep({ until: ({ input }) => input.at })
      .map(({ input }) => ({ woke: input.at }))
      .commit()
    const at = Date.now() + 25
    const run = await engine.start(workflow, { at })
    expect(await run.result()).toEqual({ woke: at })
  })
})

describe('waitForEvent', () => {
  const build = (onAfter = counted('after')) => {
    const before = counted('before')
    const workflow = createWorkflow({ id: 'await-payment', input: order })
      .then(before.step)
      .waitForEvent('payment.received', {
        schema: payment,
        match: ({ input }) => ({ orderId: input.orderId }),
      })
      .map(({ input }) => ({ orderId: input.orderId }))
      .then(onAfter.step)
      .commit()
    return { workflow, before, after: onAfter }
  }

  it('resumes with the matching event, never re-running completed steps', async () => {
    const engine = engines()
    const { workflow, before, after } = build()
    const run = await engine.start(workflow, { orderId: 'A1' })
    await statusOf(run, 'suspended')
    // Another order's payment is not for this run.
    expect(await engine.sendEvent('payment.received', { orderId: 'B2', amount: 5 })).toMatchObject({
      runIds: [],
    })
    expect((await run.record()).status).toBe('suspended')
    const sent = await engine.sendEvent('payment.received', { orderId: 'A1', amount: 42 })
    expect(sent.runIds).toEqual([run.id])
    expect(await run.result()).toEqual({ orderId: 'A1' })
    expect(before.calls.count).toBe(1)
    expect(after.calls.count).toBe(1)
    const steps = await run.steps()
    expect(steps.find((step) => step.nodeId === 'payment.received')?.output).toEqual({
      orderId: 'A1',
      amount: 42,
    })
  })

  it('takes an event that arrived before the wait from the inbox', async () => {
    const engine = engines()
    const { workflow } = build()
    await engine.sendEvent('payment.received', { orderId: 'EARLY', amount: 1 })
    const run = await engine.start(workflow, { orderId: 'EARLY' })
    expect(await run.result()).toEqual({ orderId: 'EARLY' })
  })

  it('fails the run with a ValidationError when the payload does not fit the schema', async () => {
    const engine = engines()
    const { workflow } = build()
    const run = await engine.start(workflow, { orderId: 'BAD' })
    await statusOf(run, 'suspended')
    await engine.sendEvent('payment.received', { orderId: 'BAD', amount: 'lots' })
    const error = await run.result().catch((e: unknown) => e)
    expect(ValidationError.isInstance(error)).toBe(true)
  })

  it('fails the run with WaitTimeoutError when nothing arrives in time', async () => {
    const engine = engines()
    const workflow = createWorkflow({ id: 'impatient', input: num })
      .waitForEvent('never', { timeout: '20ms' })
      .commit()
    const run = await engine.start(workflow, { n: 1 })
    const error = await run.result().catch((e: unknown) => e)
    expect(WaitTimeoutError.isInstance(error)).toBe(true)
    expect((await run.record()).error).toMatchObject({ code: 'wait_timeout' })
  })

  it('waits for several events at once in parallel branches', async () => {
    const engine = engines()
    const signal = (id: string) =>
      createWorkflow({ id, input: num }).waitForEvent(id, { schema: num }).commit()
    const workflow = createWorkflow({ id: 'both', input: num })
      .parallel({ left: signal('left'), right: signal('right') })
      .map(({ input }) => ({ n: input.left.n + input.right.n }))
      .commit()
    const run = await engine.start(workflow, { n: 0 })
    await statusOf(run, 'suspended')
    await engine.sendEvent('right', { n: 2 }, { runId: run.id })
    await engine.sendEvent('left', { n: 40 }, { runId: run.id })
    expect(await run.result()).toEqual({ n: 42 })
  })

  it('fails the run when match gives no value for a field, instead of matching any event', async () => {
    const engine = engines()
    const workflow = createWorkflow({
      id: 'loose-match',
      input: z.object({ id: z.string().optional() }),
    })
      .waitForEvent('ping', { match: ({ input }) => ({ id: input.id }) })
      .commit()
    const run = await engine.start(workflow, {})
    await expect(run.result()).rejects.toMatchObject({ code: 'control_flow' })
  })

  it('rejects bad event arguments with InvalidArgumentError', async () => {
    const engine = engines()
    for (const call of [
      () => engine.sendEvent('', {}),
      () => engine.sendEvent('has space', {}),
      () => engine.sendEvent('ok', { big: 1n }),
      () => engine.sendEvent('ok', {}, { ttl: 'soon' as never }),
    ]) {
      const error = await Promise.resolve()
        .then(call)
        .catch((e: unknown) => e)
      expect((error as { code?: string }).code).toBe('invalid_argument')
    }
  })
})

describe('approval', () => {
  const ship = counted('ship')
  const workflow = createWorkflow({ id: 'refund', input: order })
    .then(ship.step)
    .approval({ id: 'manager', schema: z.object({ limit: z.number() }) })
    .map(({ input }) => (input.approved ? { limit: input.data.limit } : { refused: input.reason }))
    .commit()

  const waiting = async (engine: Engine) => {
    const run = await engine.start(workflow, { orderId: 'A1' })
    await statusOf(run, 'suspended')
    return run
  }

  it('continues with the approved data, checked by the schema first', async () => {
    const engine = engines()
    const run = await waiting(engine)
    const bad = await run.approve('manager', { limit: 'none' }).catch((e: unknown) => e)
    expect(ValidationError.isInstance(bad)).toBe(true)
    expect((await run.record()).status).toBe('suspended')
    await run.approve('manager', { limit: 500 }, { by: 'ana' })
    expect(await run.result()).toEqual({ limit: 500 })
    const decided = (await run.steps()).find((step) => step.nodeId === 'manager')
    expect(decided?.output).toMatchObject({ approved: true, data: { limit: 500 }, by: 'ana' })
  })

  it('continues with a rejection', async () => {
    const engine = engines()
    const run = await waiting(engine)
    await run.reject('manager', 'over budget')
    expect(await run.result()).toEqual({ refused: 'over budget' })
  })

  it('refuses decisions for runs that are not waiting for them', async () => {
    const engine = engines()
    const run = await waiting(engine)
    const unknownApproval = await run.approve('cfo', {}).catch((e: unknown) => e)
    expect(ConflictError.isInstance(unknownApproval)).toBe(true)
    await run.approve('manager', { limit: 1 })
    await run.result()
    const twice = await run.approve('manager', { limit: 2 }).catch((e: unknown) => e)
    expect(ConflictError.isInstance(twice)).toBe(true)
    const missing = await engine.approve('no-such-run', 'manager', {}).catch((e: unknown) => e)
    expect(NotFoundError.isInstance(missing)).toBe(true)
  })
})

describe('retry from the failed step', () => {
  it('runs the failed step again and never the completed ones', async () => {
    const engine = engines()
    const first = counted('first')
    let broken = true
    const flaky = createStep({
      id: 'flaky',
      input: order,
      output: order,
      run: ({ input }) => {
        if (broken) throw new Error('downstream is down')
        return input
      },
    })
    const workflow = createWorkflow({ id: 'retry-me', input: order })
      .then(first.step)
      .then(flaky)
      .commit()
    const run = await engine.start(workflow, { orderId: 'A1' })
    await expect(run.result()).rejects.toMatchObject({ code: 'step_failed' })
    broken = false
    const retried = await engine.retry(run.id)
    expect(await retried.result()).toEqual({ orderId: 'A1' })
    expect(first.calls.count).toBe(1)
    const steps = await retried.steps()
    expect(steps.map((step) => [step.nodeId, step.status])).toEqual([
      ['first', 'succeeded'],
      ['flaky', 'succeeded'],
    ])
    const again = await engine.retry(run.id).catch((e: unknown) => e)
    expect(ConflictError.isInstance(again)).toBe(true)
  })
})

describe('retention', () => {
  it('purges ended runs beyond the newest N, keeping live ones', async () => {
    const engine = engines()
    const workflow = createWorkflow({ id: 'keep-two', input: num }).then(inc).commit()
    const ids: string[] = []
    for (let n = 0; n < 4; n++) {
      const run = await engine.start(workflow, { n })
      await run.result()
      ids.push(run.id)
    }
    const waiting = createWorkflow({ id: 'keep-two', input: num }).sleep('1h').commit()
    const live = await engine.start(waiting, { n: 9 })
    // Newest by end time, ties broken by id (runs here may end in the same millisecond).
    const ended = await Promise.all(ids.map(async (id) => (await engine.getRun(id)).record()))
    expect(await engine.purge({ keepLast: 2 })).toMatchObject({ runs: 2 })
    const left = (await engine.listRuns({ workflowId: 'keep-two' })).runs.map((run) => run.id)
    const newest = ended
      .sort((a, b) => b.endedAt! - a.endedAt! || (a.id < b.id ? 1 : -1))
      .slice(0, 2)
      .map((run) => run.id)
    expect(left.sort()).toEqual([...newest, live.id].sort())
    const noRules = await engine.purge().catch((e: unknown) => e)
    expect((noRules as { code?: string }).code).toBe('invalid_argument')
  })
})

describe('definitions', () => {
  it('round-trips sleep, event and approval nodes through JSON with the same version', () => {
    const engine = engines()
    const workflow = createWorkflow({ id: 'json-waits', input: order })
      .sleep('1s')
      .waitForEvent('payment.received', { schema: payment, timeout: '1d' })
      .approval({ id: 'manager', timeout: '2d' })
      .commit()
    engine.register(workflow)
    const json = JSON.parse(JSON.stringify(workflow.definition))
    const again = workflowFromDefinition(json, { registry: engine.registry })
    expect(again.version).toBe(workflow.version)
    expect(json.root.children.map((node: { type: string }) => node.type)).toEqual([
      'sleep',
      'event',
      'approval',
    ])
  })
})

describe('several waits, nested and repeated', () => {
  it('approves foreach items one by one, by key', async () => {
    const engine = engines()
    const item = createWorkflow({ id: 'line', input: z.string() })
      .approval({ id: 'line-ok' })
      .map(({ input }) => input.approved)
      .commit()
    const workflow = createWorkflow({ id: 'lines', input: z.array(z.string()) })
      .foreach(item, { concurrency: 3 })
      .commit()
    const run = await engine.start(workflow, ['a', 'b', 'c'])
    await statusOf(run, 'suspended')
    const pending = (await engine.store.getRunHistory(run.id))!.tasks.map((task) => task.key).sort()
    expect(pending).toHaveLength(3)
    await run.approve('line-ok', null, { key: pending[1] })
    await run.reject('line-ok', 'no', { key: pending[0] })
    // Without a key: the one left.
    await run.approve('line-ok')
    expect(await run.result()).toEqual([false, true, true])
  })

  it('waits inside a child workflow, and resumes the parent after it', async () => {
    const engine = engines()
    const child = createWorkflow({ id: 'await-go', input: num })
      .waitForEvent('go', { schema: num })
      .commit()
    const workflow = createWorkflow({ id: 'parent-waits', input: num })
      .then(child)
      .then(inc)
      .commit()
    const run = await engine.start(workflow, { n: 0 })
    await statusOf(run, 'suspended')
    await engine.sendEvent('go', { n: 41 }, { runId: run.id })
    expect(await run.result()).toEqual({ n: 42 })
  })

  it('cancels a suspended run: the wait is gone and a late event finds nothing', async () => {
    const engine = engines()
    const workflow = createWorkflow({ id: 'cancel-waiting', input: num })
      .waitForEvent('late')
      .commit()
    const run = await engine.start(workflow, { n: 0 })
    await statusOf(run, 'suspended')
    await run.cancel('no longer needed')
    await expect(run.result()).rejects.toMatchObject({ code: 'run_cancelled' })
    expect((await engine.sendEvent('late', {}, { runId: run.id, ttl: 0 })).runIds).toEqual([])
    expect((await engine.store.getRunHistory(run.id))!.tasks).toEqual([])
  })
})
