import type { Step, StepContext } from '../builder/step'
import type { ConnectorV1 } from '../ports/connector-v1'
import type { SecretLookup, SecretRefLocation } from './secret-refs'

/**
 * The step an `action` node executes: the connector action's `run` with the node's parsed
 * `config`. The action's input and output schemas are the step's, so the engine checks them
 * like any step's (a `ValidationError` naming the node). The id is the node's id.
 *
 * When the config holds secret references (`refs`, found at plan time), each attempt resolves
 * them through `lookup` first, and what leaves the action (its error, its log lines) has every
 * resolved value replaced by `[secret:NAME]`. A config without references runs as it is.
 */
export function connectorActionStep(
  nodeId: string,
  connector: ConnectorV1,
  actionName: string,
  config: unknown,
  refs: readonly SecretRefLocation[] = [],
  lookup?: SecretLookup,
): Step {
  const action = connector.actions[actionName]!
  const run =
    refs.length === 0
      ? (context: StepContext<unknown>): unknown =>
          action.run({
            config,
            input: context.input,
            signal: context.signal,
            idempotencyKey: context.idempotencyKey,
            logger: context.logger,
          })
      : async (context: StepContext<unknown>): Promise<unknown> =>
          // Loaded with the first action that has secrets: engines without any never load it.
          (await import('./secret-resolution')).runWithSecrets(
            { nodeId, connector: connector.id, action: actionName },
            action,
            config,
            refs,
            lookup,
            context,
          )
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
