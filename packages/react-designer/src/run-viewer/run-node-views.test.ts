import { describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { createEngine, createStep, createWorkflow } from '@tessera/core'
import { approve, audit, fetchOrder, notify, order } from '../../test/steps'
import { collectRunEvents, recordRun } from './run-fixtures'
import { nodeIdOfStep, runNodeViews } from './run-node-views'
import { runStateFromEvents } from './run-state'

const child = createWorkflow({ id: 'child', input: order }).then(notify).commit()

const stop = createStep({
  id: 'stop',
  input: z.object({ id: z.string(), total: z.number() }),
  output: z.object({ id: z.string(), total: z.number() }),
  run: () => {
    throw new Error('out of stock')
  },
})

function review(last: typeof audit | typeof stop) {
  return createWorkflow({ id: `review-${last.id}`, input: z.object({ id: z.string() }) })
    .then(fetchOrder)
    .branch([
      [({ input }) => input.total > 100, approve],
      [() => true, audit],
    ])
    .map(() => [
      { id: 'a', total: 1 },
      { id: 'b', total: 2 },
    ])
    .foreach(notify, { concurrency: 2 })
    .map(() => ({ id: 'A1', total: 10 }))
    .parallel({ log: audit, child })
    .map(() => ({ id: 'A1', total: 10 }))
    .then(last)
    .commit()
}

describe('runNodeViews', () => {
  it('maps a real run onto the definition: steps, instances, child workflows, containers and code', async () => {
    const workflow = review(audit)
    const events = await recordRun(workflow, { id: 'A1' }, { register: [child] })
    const views = runNodeViews(workflow.definition, runStateFromEvents(events))
    const status = (id: string) => views.get(id)?.status
    const root = workflow.definition.root
    if (root.type !== 'sequence') throw new Error('expected a sequence')
    const [, branch, firstMap, foreach, , parallel] = root.children
    expect(status('root')).toBe('succeeded')
    expect(status('fetch-order')).toBe('succeeded')
    expect(status(branch!.id)).toBe('succeeded')
    // The branch case not taken stays pending.
    expect(status('approve')).toBe('pending')
    expect(status(firstMap!.id)).toBe('succeeded')
    expect(status(foreach!.id)).toBe('succeeded')
    expect(views.get('notify')?.instances.map((instance) => instance.key)).toEqual([
      'notify#0',
      'notify#1',
    ])
    expect(status(parallel!.id)).toBe('succeeded')
    expect(views.get('child')?.instances.map((instance) => instance.stepId)).toEqual([
      'child/notify',
    ])
    expect(status('child')).toBe('succeeded')
    expect(views.get('root')!.endedAt! >= views.get('root')!.startedAt!).toBe(true)
  })

  it('shows where a run failed: the step and every container above it, code before it succeeded', async () => {
    const workflow = review(stop)
    const events = await recordRun(workflow, { id: 'A1' }, { register: [child] })
    const views = runNodeViews(workflow.definition, runStateFromEvents(events))
    expect(views.get('stop')?.status).toBe('failed')
    expect(views.get('stop')?.instances[0]?.error?.message).toContain('out of stock')
    expect(views.get('root')?.status).toBe('failed')
    expect(views.get('fetch-order')?.status).toBe('succeeded')
    const root = workflow.definition.root
    if (root.type !== 'sequence') throw new Error('expected a sequence')
    expect(views.get(root.children[6]!.id)?.status).toBe('succeeded')
  })

  it('shows a run in progress: done nodes green, the current one running, later ones pending', async () => {
    const workflow = review(audit)
    const events = await recordRun(workflow, { id: 'A1' }, { register: [child] })
    const cut = events.findIndex((event) => event.type === 'step-start' && event.key === 'notify#0')
    const views = runNodeViews(workflow.definition, runStateFromEvents(events.slice(0, cut + 1)))
    expect(views.get('fetch-order')?.status).toBe('succeeded')
    expect(views.get('notify')?.status).toBe('running')
    expect(views.get('root')?.status).toBe('running')
    expect(views.get('root')?.endedAt).toBeUndefined()
    expect(views.get('child')?.status).toBe('pending')
  })
})

describe('runNodeViews and waits', () => {
  it('shows the approval a running run waits at as suspended, then succeeded once approved', async () => {
    const workflow = createWorkflow({ id: 'approved', input: z.object({ id: z.string() }) })
      .then(fetchOrder)
      .approval({ id: 'manager' })
      .map(() => ({ id: 'A1', total: 10 }))
      .then(notify, { id: 'tell' })
      .commit()
    const engine = createEngine()
    const events = collectRunEvents(engine)
    const handle = await engine.start(workflow, { id: 'A1' })
    await vi.waitFor(() => expect(events.some((event) => event.type === 'step-end')).toBe(true))
    await new Promise((resolve) => setTimeout(resolve, 20))
    const waiting = runNodeViews(workflow.definition, runStateFromEvents(events))
    expect(waiting.get('fetch-order')?.status).toBe('succeeded')
    expect(waiting.get('manager')?.status).toBe('suspended')
    expect(waiting.get('tell')?.status).toBe('pending')
    expect(waiting.get('root')?.status).toBe('suspended')
    await handle.approve('manager')
    await handle.result()
    await engine.close()
    const ended = runNodeViews(workflow.definition, runStateFromEvents(events))
    expect(ended.get('manager')?.status).toBe('succeeded')
    expect(ended.get('root')?.status).toBe('succeeded')
  })
})

describe('nodeIdOfStep', () => {
  it('finds the node, or the child workflow node whose id is the longest prefix', () => {
    const ids = new Set(['root', 'a/b', 'a', 'plain'])
    expect(nodeIdOfStep('plain', ids)).toBe('plain')
    expect(nodeIdOfStep('a/b/c', ids)).toBe('a/b')
    expect(nodeIdOfStep('a/x', ids)).toBe('a')
    expect(nodeIdOfStep('zzz/x', ids)).toBeUndefined()
  })
})
