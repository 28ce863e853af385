import type { Step, StepContext } from '../builder/step'
import { ConnectorError } from '../errors/connector-error'
import type { ConnectorV1 } from '../ports/connector-v1'
import { createRedactor } from './secret-redaction'
import { configPath, withSecrets, type SecretLookup, type SecretRefLocation } from './secret-refs'

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
      : async (context: StepContext<unknown>): Promise<unknown> => {
          const values = await resolveSecretRefs(
            { nodeId, connector: connector.id, action: actionName },
            refs,
            lookup,
            context.signal,
          )
          const redactor = createRedactor(
            refs.map((ref, index) => ({ name: ref.name, value: values[index]! })),
          )
          try {
            return await action.run({
              config: withSecrets(config, refs, values),
              input: context.input,
              signal: context.signal,
              idempotencyKey: context.idempotencyKey,
              logger: redactor.logger(context.logger),
            })
          } catch (error) {
            throw redactor.error(error)
          }
        }
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

/**
 * The values of `refs`, in order. A name no provider has fails with a non-retryable
 * `ConnectorError` (reason `invalid-config`) naming the node, the config path and the secret.
 */
export async function resolveSecretRefs(
  where: { nodeId: string; connector: string; action: string },
  refs: readonly SecretRefLocation[],
  lookup: SecretLookup | undefined,
  signal?: AbortSignal,
): Promise<string[]> {
  const values: string[] = []
  for (const ref of refs) {
    const value = lookup === undefined ? undefined : await lookup(ref.name, signal)
    if (typeof value !== 'string') {
      throw new ConnectorError({
        connector: where.connector,
        action: where.action,
        reason: 'invalid-config',
        retryable: false,
        message: `node "${where.nodeId}": ${configPath(ref.path)} refers to secret "${ref.name}", ${
          lookup === undefined
            ? 'but the engine has no secrets provider (createEngine({ secrets }))'
            : 'which no secrets provider has'
        }`,
      })
    }
    values.push(value)
  }
  return values
}
