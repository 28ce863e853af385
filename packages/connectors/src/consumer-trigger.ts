// Pieces shared by the message-consumer triggers (RabbitMQ, Kafka, NATS, MQTT, Redis streams) and
// the event connectors that publish to the same brokers: secret-or-value settings, the
// per-message decision (start the run, then acknowledge) and aborting a pending call.
import { createHash } from 'node:crypto'
import {
  ConnectorError,
  TesseraError,
  ValidationError,
  isSecretRef,
  type SecretRef,
  type TriggerContext,
  type TriggerSubscription,
  type TriggerV1,
  type Workflow,
} from '@tessera/core'

/**
 * A setting given either as its value or as a reference resolved through the engine's secrets.
 *
 * @example
 * ```ts
 * const url: SecretOrValue = { $secret: 'AMQP_URL' }
 * ```
 */
export type SecretOrValue = string | SecretRef

/**
 * Resolves a trigger setting that may be a `{ $secret }` reference, through `context.secret()`.
 *
 * @example
 * ```ts
 * const url = await resolveSetting({ $secret: 'AMQP_URL' }, context, 'rabbitmq', 'url')
 * ```
 */
export async function resolveSetting(
  value: SecretOrValue,
  context: Pick<TriggerContext, 'secret'>,
  connector: string,
  field: string,
): Promise<string> {
  if (!isSecretRef(value)) return value
  const resolved = await context.secret(value.$secret)
  if (resolved === undefined)
    throw new ConnectorError({
      connector,
      action: 'trigger',
      reason: 'invalid-config',
      message: `"${field}" refers to the secret ${JSON.stringify(value.$secret)}, which the engine's secrets provider does not have`,
    })
  return resolved
}

/**
 * The `TriggerV1` of a message-consumer trigger: type `consumer`, the options' id, workflow and
 * description (else `defaultDescription`), and `start`.
 *
 * @example
 * ```ts
 * return consumerTrigger(options, `Starts ${options.workflow.id} for each message on ${options.queue}`, async (context) => {
 *   // connect, subscribe, then return { stop }
 * })
 * ```
 */
export function consumerTrigger(
  options: { id: string; workflow: Workflow; description?: string | undefined },
  defaultDescription: string,
  start: (context: TriggerContext) => Promise<TriggerSubscription>,
): TriggerV1 {
  return {
    specificationVersion: 'v1',
    kind: 'trigger',
    type: 'consumer',
    id: options.id,
    description: options.description ?? defaultDescription,
    workflow: options.workflow,
    start,
  }
}

/**
 * A short, stable hash of message parts: the default idempotency key of a message that carries
 * no id of its own (SHA-256, hex, of the parts separated by NUL bytes).
 *
 * @example
 * ```ts
 * messageHash(['orders', Buffer.from('{"id":1}')]) // '6f1c…' (64 hex digits)
 * ```
 */
export function messageHash(parts: readonly (string | Uint8Array)[]): string {
  const hash = createHash('sha256')
  parts.forEach((part, index) => {
    if (index > 0) hash.update('\0')
    hash.update(part)
  })
  return hash.digest('hex')
}

/**
 * Decodes a message body for a run's input: JSON when it parses, else UTF-8 text.
 *
 * @example
 * ```ts
 * decodeBody(Buffer.from('{"a":1}')) // { a: 1 }
 * ```
 */
export function decodeBody(body: Uint8Array | string | null | undefined): unknown {
  if (body === null || body === undefined) return null
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8')
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

/**
 * Encodes a published message: strings and bytes as they are, anything else as JSON.
 *
 * @example
 * ```ts
 * encodeBody({ orderId: 'o-1' }) // Buffer of '{"orderId":"o-1"}'
 * ```
 */
export function encodeBody(value: unknown): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8')
  if (value instanceof Uint8Array) return Buffer.from(value)
  return Buffer.from(JSON.stringify(value ?? null), 'utf8')
}

/**
 * What a consumer does with a message once {@link decideMessage} has run.
 *
 * @example
 * ```ts
 * if (outcome.kind === 'invalid') channel.reject(message, false)
 * ```
 */
export type MessageOutcome =
  /** The run is durably started (or existed already): acknowledge. */
  | { kind: 'ack'; runId: string; created: boolean }
  /** The message can never start a run (bad input): dead-letter it, or acknowledge it. */
  | { kind: 'invalid'; error: unknown }
  /** Starting the run failed for a reason that may pass (store down): redeliver later. */
  | { kind: 'retry'; error: unknown }

/**
 * Maps a message to a run: computes its input and idempotency key with the trigger's functions,
 * calls `context.startRun` and says what to do with the message. A `ValidationError` (from the
 * input function or the workflow's input schema) or a failing key function makes the message
 * invalid; any other failure asks for a redelivery.
 *
 * @example
 * ```ts
 * const outcome = await decideMessage(context, () => toInput(message), () => message.id)
 * if (outcome.kind === 'ack') channel.ack(message)
 * ```
 */
export async function decideMessage(
  context: Pick<TriggerContext, 'startRun' | 'logger'>,
  input: () => unknown,
  key: () => string,
): Promise<MessageOutcome> {
  let value: unknown
  let idempotencyKey: string
  try {
    value = input()
    idempotencyKey = key()
    if (typeof idempotencyKey !== 'string' || idempotencyKey === '')
      throw new TypeError(
        `the key function must return a non-empty string, it returned ${JSON.stringify(idempotencyKey)}`,
      )
  } catch (error) {
    return { kind: 'invalid', error }
  }
  try {
    const started = await context.startRun(value, { idempotencyKey })
    return { kind: 'ack', runId: started.runId, created: started.created }
  } catch (error) {
    if (ValidationError.isInstance(error)) return { kind: 'invalid', error }
    return { kind: 'retry', error }
  }
}

/**
 * Waits `ms` milliseconds, or resolves at once when `signal` aborts (a stopping consumer). Never
 * rejects.
 *
 * @example
 * ```ts
 * await sleepUnlessAborted(1_000, stopping.signal)
 * if (stopping.signal.aborted) return
 * ```
 */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve()
    const onAbort = () => {
      clearTimeout(timer)
      resolve()
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * {@link decideMessage} for a consumer that keeps a message in place while the store fails
 * (Kafka's partition order, MQTT's one-at-a-time handler): on `retry` it calls `onRetry` and
 * waits (`retryDelayMs`, default 1 000 ms, doubling up to 30 s), then decides again. Returns the
 * `ack` or `invalid` outcome, or undefined when `signal` aborted during a wait: the consumer is
 * stopping, so the message stays unacknowledged and the broker delivers it again.
 *
 * @example
 * ```ts
 * const outcome = await decideMessageWithRetry(context, stopping.signal, () => toInput(message), () => toKey(message), {
 *   onRetry: (error, inMs) => context.logger.error('Starting a run failed; retrying', { inMs, error: describeError(error) }),
 * })
 * if (outcome === undefined) return
 * ```
 */
export async function decideMessageWithRetry(
  context: Pick<TriggerContext, 'startRun' | 'logger'>,
  signal: AbortSignal,
  input: () => unknown,
  key: () => string,
  options: { retryDelayMs?: number | undefined; onRetry: (error: unknown, inMs: number) => void },
): Promise<Exclude<MessageOutcome, { kind: 'retry' }> | undefined> {
  let delay = options.retryDelayMs ?? 1_000
  for (;;) {
    const outcome = await decideMessage(context, input, key)
    if (outcome.kind !== 'retry') return outcome
    options.onRetry(outcome.error, delay)
    await sleepUnlessAborted(delay, signal)
    if (signal.aborted) return undefined
    delay = Math.min(delay * 2, 30_000)
  }
}

/**
 * A one-line description of an error for a log line (never the error's cause chain, which may
 * hold connection strings).
 *
 * @example
 * ```ts
 * context.logger.warn('message rejected', { error: describeError(error) })
 * ```
 */
export function describeError(error: unknown): string {
  if (TesseraError.isInstance(error)) return `${error.code}: ${error.message}`
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

/**
 * Counts in-flight message handlers so that `stop()` can wait for them.
 *
 * @example
 * ```ts
 * const inFlight = createInFlight()
 * await inFlight.track(handle(message))
 * await inFlight.idle()
 * ```
 */
export function createInFlight() {
  const pending = new Set<Promise<unknown>>()
  return {
    track<T>(promise: Promise<T>): Promise<T> {
      pending.add(promise)
      void promise.then(
        () => pending.delete(promise),
        () => pending.delete(promise),
      )
      return promise
    },
    async idle(): Promise<void> {
      while (pending.size > 0) await Promise.allSettled([...pending])
    },
  }
}

/**
 * The error of a publish or check that the caller's signal aborted, for {@link abortable}:
 * reason `aborted`, the signal's reason as the cause.
 *
 * @example
 * ```ts
 * await abortable(channel.waitForConfirms(), signal, callerAborted('rabbitmq', 'publish'))
 * ```
 */
export function callerAborted(
  connector: string,
  action: string,
): (reason: unknown) => ConnectorError {
  return (reason) =>
    new ConnectorError({
      connector,
      action,
      reason: 'aborted',
      message: 'the call was aborted by the caller',
      cause: reason,
    })
}

/**
 * Rejects with `aborted` as soon as `signal` aborts (running `onAbort` to really stop the call),
 * else settles like `promise`.
 *
 * @example
 * ```ts
 * await abortable(channel.waitForConfirms(), signal, fail, () => channel.close())
 * ```
 */
export function abortable<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  aborted: (reason: unknown) => Error,
  onAbort?: () => unknown,
): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined)
    try {
      onAbort?.()
    } catch {
      // stopping is best effort
    }
    return Promise.reject(aborted(signal.reason))
  }
  return new Promise<T>((resolve, reject) => {
    const listener = () => {
      try {
        onAbort?.()
      } catch {
        // stopping is best effort
      }
      reject(aborted(signal.reason))
    }
    signal.addEventListener('abort', listener, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', listener)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', listener)
        reject(error)
      },
    )
  })
}
