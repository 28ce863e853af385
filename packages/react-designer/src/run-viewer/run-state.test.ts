import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createStep, createWorkflow } from '@tessera/core'
import type { RunEvent } from './run-event'
import { recordRun, reviewWorkflow } from './run-fixtures'
import { createRunState, reduceRunEvent, runStateFromEvents } from './run-state'

describe('reduceRunEvent', () => {
  it('follows a real run to the end: every step succeeded with its input, output and timings', async () => {
    const events = await recordRun(reviewWorkflow, { id: 'A1' })
    const state = runStateFromEvents(events)
    expect(state.status).toBe('succeeded')
    expect(state.workflowId).toBe('review')
    expect(state.output).toEqual({ sent: true })
    expect(Object.keys(state.instances)).toEqual(['fetch-order', 'approve', 'notify'])
    const fetch = state.instances['fetch-order']!
    expect(fetch).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      input: { id: 'A1' },
      output: { id: 'A1', total: 10 },
    })
    expect(fetch.endedAt! - fetch.startedAt!).toBeGreaterThanOrEqual(0)
    expect(fetch.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('keeps the error of a retried attempt and ends with the failure of the last one', async () => {
    let calls = 0
    const flaky = createStep({
      id: 'flaky',
      input: z.object({ id: z.string() }),
      output: z.object({ id: z.string() }),
      retry: { attempts: 2, backoff: { type: 'fixed', initial: 1 } },
      run: () => {
        calls += 1
        throw new Error(`boom ${calls}`)
      },
    })
    const workflow = createWorkflow({ id: 'flaky-run', input: z.object({ id: z.string() }) })
      .then(flaky)
      .commit()
    const events: RunEvent[] = await recordRun(workflow, { id: 'A1' })
    const afterRetry = runStateFromEvents(
      events.slice(0, events.findIndex((e) => e.type === 'step-retry') + 1),
    )
    expect(afterRetry.instances.flaky).toMatchObject({ status: 'running', attempts: 1 })
    expect(afterRetry.instances.flaky!.error?.message).toContain('boom 1')
    const state = runStateFromEvents(events)
    expect(state.status).toBe('failed')
    expect(state.instances.flaky).toMatchObject({ status: 'failed', attempts: 2 })
    expect(state.instances.flaky!.error?.message).toContain('boom 2')
  })

  it('marks a suspended instance with what it waits for, and running again when it resumes', () => {
    const base = { runId: 'r1', workflowId: 'w', stepId: 'ask', key: 'ask', attempt: 1 }
    let state = reduceRunEvent(createRunState(), { type: 'step-start', at: 1, input: 1, ...base })
    state = reduceRunEvent(state, {
      type: 'step-suspend',
      at: 2,
      wait: { kind: 'approval', name: 'manager' },
      ...base,
    })
    expect(state.instances.ask).toMatchObject({
      status: 'suspended',
      wait: { kind: 'approval', name: 'manager' },
    })
    state = reduceRunEvent(state, { type: 'step-start', at: 3, input: 1, ...base })
    expect(state.instances.ask).toMatchObject({ status: 'running', startedAt: 1 })
    expect(state.instances.ask!.wait).toBeUndefined()
  })

  it('leaves the previous state unchanged and ignores the events of another run', () => {
    const start: RunEvent = { type: 'run-start', runId: 'r1', workflowId: 'w', at: 1, input: {} }
    const first = reduceRunEvent(createRunState(), start)
    const other = reduceRunEvent(first, { ...start, runId: 'r2', at: 5 })
    expect(other).toBe(first)
    const next = reduceRunEvent(first, {
      type: 'step-start',
      runId: 'r1',
      workflowId: 'w',
      stepId: 's',
      key: 's#0',
      attempt: 1,
      at: 2,
    })
    expect(first.instances).toEqual({})
    expect(next.instances['s#0']).toMatchObject({ status: 'running', stepId: 's' })
  })
})
