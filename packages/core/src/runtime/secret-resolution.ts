import type { StepContext } from '../builder/step'
import { ConnectorError } from '../errors/connector-error'
import type { ConnectorAction } from '../ports/connector-v1'
import { createRedactor } from './secret-redaction'
import { configPath, withSecrets, type SecretLookup, type SecretRefLocation } from './secret-refs'

// What an action node with secret references needs at run time, loaded on first use (see
// connectorActionStep): resolution and redaction.

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

/**
 * Runs `action` with `config`'s secret references resolved: its error and its log lines leave
 * with every value replaced by `[secret:NAME]`.
 */
export async function runWithSecrets(
  where: { nodeId: string; connector: string; action: string },
  action: ConnectorAction,
  config: unknown,
  refs: readonly SecretRefLocation[],
  lookup: SecretLookup | undefined,
  context: StepContext<unknown>,
): Promise<unknown> {
  const values = await resolveSecretRefs(where, refs, lookup, context.signal)
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
