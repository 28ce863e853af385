import type { Step, StepContext } from '../builder/step'
import type { ConnectorV1 } from '../ports/connector-v1'

/**
 * The step an `action` node executes: the connector action's `run` with the node's parsed
 * `config`. The action's input and output schemas are the step's, so the engine checks them
 * like any step's (a `ValidationError` naming the node). The id is the node's id.
 */
export function connectorActionStep(
  nodeId: string,
  connector: ConnectorV1,
  actionName: string,
  config: unknown,
): Step {
  const action = connector.actions[actionName]!
  const run = (context: StepContext<unknown>): unknown =>
    action.run({
      config,
      input: context.input,
      signal: context.signal,
      idempotencyKey: context.idempotencyKey,
      logger: context.logger,
    })
  return {
    kind: 'step',
    id: nodeId,
    description: action.description,
    inputSchema: action.input,
    outputSchema: action.output,
    retry: undefined,
    timeoutMs: undefined,
    run,
  } as Step
}
