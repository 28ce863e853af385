import { ConnectorConfigError } from '../errors/connector-config-error'
import type { Engine } from '../runtime/engine'
import type { CliOutput } from './cli-output'

/**
 * Runs `engine.preflight` (secrets only, no connections) for every workflow registered in the
 * engine and prints each problem on its own line. Resolves to the number of problems.
 *
 * @example
 * ```ts
 * const problems = await preflightWorkflows('tessera serve', engine, consoleOutput)
 * ```
 */
export async function preflightWorkflows(
  command: string,
  engine: Engine,
  output: CliOutput,
): Promise<number> {
  let problems = 0
  for (const workflow of engine.registry.workflows.list()) {
    try {
      await engine.preflight(workflow)
    } catch (error) {
      if (!ConnectorConfigError.isInstance(error)) {
        problems++
        output.error(
          `${command}: workflow "${workflow.id}": ${error instanceof Error ? error.message : String(error)}`,
        )
        continue
      }
      for (const issue of error.issues) {
        problems++
        output.error(
          `${command}: workflow "${workflow.id}", node "${issue.node}" (${issue.connector}) ${issue.path}: ${issue.message}`,
        )
      }
    }
  }
  return problems
}
