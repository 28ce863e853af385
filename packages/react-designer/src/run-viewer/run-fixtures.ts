// Test fixtures for the run viewer's tests: real engine runs and the events they emit.
import { z } from 'zod'
import { createEngine, createWorkflow, type Engine, type Workflow } from '@tessera/core'
import { approve, fetchOrder, notify } from '../../test/steps'
import type { RunEvent } from './run-event'

/** The engine events the run viewer follows. */
export const runEventNames = [
  'run-start',
  'step-start',
  'step-end',
  'step-retry',
  'step-suspend',
  'run-end',
] as const

/**
 * Records into a new array every event the run viewer follows that `engine` emits from now on.
 *
 * @example
 * ```ts
 * const engine = createEngine()
 * const events = collectRunEvents(engine)
 * const handle = await engine.start(workflow, { id: 'A1' })
 * ```
 */
export function collectRunEvents(engine: Engine): RunEvent[] {
  const events: RunEvent[] = []
  for (const name of runEventNames) engine.on(name, (event) => events.push(event))
  return events
}

/** What {@link recordRun} needs besides the workflow and its input. */
export interface RecordRunOptions {
  /** Child workflows the run starts, registered with the engine first. */
  register?: Workflow[]
}

/**
 * Runs a workflow to its end (success or failure) in a real engine and returns every event the
 * run viewer follows, in order.
 *
 * @example
 * ```ts
 * const state = runStateFromEvents(await recordRun(reviewWorkflow, { id: 'A1' }))
 * ```
 */
export async function recordRun(
  workflow: Workflow,
  input: unknown,
  options: RecordRunOptions = {},
): Promise<RunEvent[]> {
  const engine = createEngine()
  for (const child of options.register ?? []) engine.register(child)
  const events = collectRunEvents(engine)
  const handle = await engine.start(workflow, input)
  await handle.result().catch(() => undefined)
  await engine.close()
  return events
}

/**
 * The `review` workflow: fetch an order, approve it, notify (three steps in a row).
 *
 * @example
 * ```ts
 * const events = await recordRun(reviewWorkflow, { id: 'A1' })
 * ```
 */
export const reviewWorkflow = createWorkflow({ id: 'review', input: z.object({ id: z.string() }) })
  .then(fetchOrder)
  .then(approve)
  .then(notify)
  .commit()
