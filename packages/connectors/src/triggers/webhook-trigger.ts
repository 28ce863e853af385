import {
  ConflictError,
  ConnectorError,
  InvalidArgumentError,
  isSecretRef,
  type Duration,
  type InputOf,
  type SecretRef,
  type TriggerContext,
  type TriggerStartResult,
  type TriggerV1,
  type Workflow,
} from '@tessera/core'
import { checkTriggerBasics } from './trigger-options'

/**
 * Options of {@link webhookTrigger}.
 *
 * @example
 * ```ts
 * const options: WebhookTriggerOptions<typeof review> = { id: 'orders', workflow: review, secret: { $secret: 'ORDERS_WEBHOOK_SECRET' } }
 * ```
 */
export interface WebhookTriggerOptions<W extends Workflow = Workflow> {
  /** Unique per engine and stable across deploys: it is part of every run's idempotency key. */
  id: string
  /** The workflow each delivery starts. */
  workflow: W
  /**
   * The shared HMAC secret (at least 16 characters): a reference resolved through the engine's
   * `secrets` provider (recommended), or a function that reads it.
   */
  secret: SecretRef | (() => Promise<string>)
  /** How far the signature's timestamp may be from now. Default 5 minutes. */
  tolerance?: Duration
  /** Maps the delivery to the run's input. Default: the JSON body. */
  input?: (body: unknown, request: Request) => InputOf<W>
  description?: string
}

/**
 * A webhook trigger: a {@link TriggerV1} of type `webhook` that is also a webhook of
 * `createHttpHandler({ webhooks })` (see {@link webhookTrigger}).
 *
 * @example
 * ```ts
 * const orders: WebhookTrigger = webhookTrigger({ id: 'orders', workflow: review, secret: { $secret: 'ORDERS_WEBHOOK_SECRET' } })
 * createHttpHandler(engine, { auth, webhooks: { orders } })
 * ```
 */
export interface WebhookTrigger<W extends Workflow = Workflow> extends TriggerV1 {
  readonly type: 'webhook'
  readonly workflow: W
  /** The workflow's id (what the HTTP handler's webhook options read). */
  readonly workflowId: string
  readonly tolerance?: Duration | undefined
  readonly input?: ((body: unknown, request: Request) => unknown) | undefined
  /** Reads the HMAC secret (through the engine that started the trigger, for a reference). */
  secret(): Promise<string>
  /**
   * Starts the run of one verified delivery through the started trigger: idempotency key
   * `trigger:<id>:<delivery id>` (a fresh key when the delivery has no id). The HTTP handler
   * calls it; rejects with `ConflictError` when no engine has started the trigger.
   */
  receive(input: unknown, delivery?: string): Promise<TriggerStartResult>
}

/**
 * An inbound webhook as a trigger. The HTTP handler does the HTTP part (route
 * `POST /webhooks/{name}`, HMAC verification of `x-tessera-signature`, the body limit, the
 * audit record); the trigger gives it an engine-managed identity: runs are keyed per trigger,
 * counted in `engine.triggers`, and refused once the engine closes. Register it with the
 * engine (`triggers`, or `engine.startTrigger`) AND pass it as a webhook of the handler:
 * the engine behind the handler must start it (with `worker: false`, set
 * `startTriggers: true`).
 *
 * @example
 * ```ts
 * import { createEngine } from '@tessera/core'
 * import { createHttpHandler } from '@tessera/core/http'
 * import { webhookTrigger } from '@tessera/connectors/triggers'
 *
 * const orders = webhookTrigger({ id: 'orders', workflow: review, secret: { $secret: 'ORDERS_WEBHOOK_SECRET' } })
 * const engine = createEngine({ store, secrets: envSecrets(), triggers: [orders] })
 * const handler = createHttpHandler(engine, { auth, webhooks: { orders } })
 * ```
 */
export function webhookTrigger<W extends Workflow>(
  options: WebhookTriggerOptions<W>,
): WebhookTrigger<W> {
  checkTriggerBasics('webhookTrigger', options)
  const { secret } = options
  if (typeof secret !== 'function' && !isSecretRef(secret)) {
    throw new InvalidArgumentError({
      fn: 'webhookTrigger',
      argument: 'secret',
      expected:
        'a secret reference { $secret: "NAME" } or a function that reads the secret (never the secret itself)',
      received:
        typeof secret === 'string' ? `a string of ${(secret as string).length} characters` : secret,
    })
  }
  if (options.input !== undefined && typeof options.input !== 'function') {
    throw new InvalidArgumentError({
      fn: 'webhookTrigger',
      argument: 'input',
      expected: 'a function (body, request) => input',
      received: options.input,
    })
  }
  let context: TriggerContext | undefined

  const started = (): TriggerContext => {
    if (!context || context.signal.aborted) {
      throw new ConflictError(
        `Webhook trigger "${options.id}" is not started in this engine: pass it to createEngine({ triggers }) (with a worker, or startTriggers: true) or engine.startTrigger()`,
      )
    }
    return context
  }

  return {
    specificationVersion: 'v1',
    kind: 'trigger',
    type: 'webhook',
    id: options.id,
    description: options.description,
    workflow: options.workflow,
    workflowId: options.workflow.id,
    tolerance: options.tolerance,
    input: options.input,
    async secret() {
      if (typeof secret === 'function') return secret()
      const value = await started().secret(secret.$secret)
      if (value === undefined) {
        throw new ConnectorError({
          connector: 'webhook-trigger',
          action: 'verify',
          reason: 'invalid-config',
          message: `secret "${secret.$secret}" of webhook trigger "${options.id}" is missing from the engine's secrets provider`,
        })
      }
      return value
    },
    receive(input, delivery) {
      return started().startRun(input, {
        idempotencyKey: delivery ?? `delivery-${globalThis.crypto.randomUUID()}`,
      })
    },
    async start(newContext) {
      context = newContext
      return {
        async stop() {
          if (context === newContext) context = undefined
        },
      }
    },
  }
}
