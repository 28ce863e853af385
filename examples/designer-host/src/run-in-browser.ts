import { createEngine, type EngineEvent } from '@tessera/core'
import type { WorkflowDefinition } from '@tessera/core/definition'
import { demoInput, demoPlugin } from './demo-steps'

const eventNames = [
  'run-start',
  'step-start',
  'step-end',
  'step-retry',
  'step-suspend',
  'run-end',
] as const

/**
 * Runs a designed workflow in this page: an engine with the in-memory store and in-process
 * queue, the demo steps registered, the definition registered as it is. Every engine event goes
 * to `onEvent` as it happens. Resolves with the run's output; rejects with its error.
 */
export async function runInBrowser(
  definition: WorkflowDefinition,
  onEvent: (event: EngineEvent) => void,
): Promise<unknown> {
  const engine = createEngine({ plugins: [demoPlugin] })
  try {
    const workflow = engine.registerDefinition(definition)
    for (const name of eventNames) engine.on(name, onEvent)
    const run = await engine.start(workflow, demoInput)
    return await run.result()
  } finally {
    await engine.close()
  }
}
