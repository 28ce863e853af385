import { registerPublishedDefinitions } from '../definition/definition-repository'
import type { Engine } from '../runtime/engine'
import type { CliOutput } from './cli-output'

/**
 * Registers the published version of every definition stored in the engine's records (what
 * `POST /definitions/{id}/publish` stores), so that a restarted `tessera serve` or a `tessera
 * worker` has them from the start: listed by `GET /workflows`, preflighted, and run without a
 * lookup. Versions published later, or older versions that runs are still pinned to, the engine
 * finds in the store when it meets them (`createEngine({ storedDefinitions })`). Prints one line
 * naming what it registered (nothing when there is nothing), and one error line per definition
 * this process cannot register (a step, connector or agent it lacks): those are skipped, and
 * their runs left to processes that have what they need. Resolves to how many it registered.
 *
 * @example
 * ```ts
 * await registerPublished('tessera worker', engine, consoleOutput)
 * // tessera worker: registered 2 published definitions: "orders" version 3 (9c1…), "invoices" version 1 (77a…)
 * ```
 */
export async function registerPublished(
  command: string,
  engine: Engine,
  output: CliOutput,
): Promise<number> {
  if (!engine.store.capabilities.records || typeof engine.store.getRecord !== 'function') return 0
  const registered: string[] = []
  try {
    await registerPublishedDefinitions(engine, {
      onRegistered: ({ workflowId, version, workflowVersion }) =>
        registered.push(`"${workflowId}" version ${version} (${workflowVersion})`),
      onError: (error, { workflowId, version }) =>
        output.error(
          `${command}: published definition "${workflowId}" version ${version} is not registered: ${error instanceof Error ? error.message : String(error)}; its runs are left to processes that have what it needs`,
        ),
    })
  } catch (error) {
    output.error(
      `${command}: the published definitions could not be read: ${error instanceof Error ? error.message : String(error)}; they are looked up when needed`,
    )
  }
  if (registered.length > 0) {
    output.info(
      `${command}: registered ${registered.length} published definition${registered.length === 1 ? '' : 's'}: ${registered.join(', ')}`,
    )
  }
  return registered.length
}
