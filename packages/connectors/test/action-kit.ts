// Test helpers of the connector tests (not exported from the package): run one action the way
// the engine does, and read the ConnectorError that a call rejects with.
import { expect } from 'vitest'
import { ConnectorError, noopLogger, TesseraError } from '@tessera/core'
import { uniqueName } from './services'

/** Per-call options of the runner that {@link actionRunner} returns. */
export interface ActionCallOptions {
  /** Merged over the runner's configuration. */
  config?: Record<string, unknown>
  signal?: AbortSignal
  /** The step idempotency key; default the runner's `key()`. */
  key?: string
}

/**
 * Returns `run(action, input, options)`, which calls `connector.actions[action].run` as the
 * engine would: the input parsed by the action's schema, `config()` (resolved, secrets as
 * plain values) merged with `options.config`, a fresh signal, an idempotency key and a silent
 * logger. The result is `any`, for the tests to inspect.
 *
 * @example
 * ```ts
 * const run = actionRunner(postgresConnector, () => ({ host: '127.0.0.1', user: 'postgres' }))
 * const output = await run('query', { sql: 'SELECT 1 AS one' })
 * ```
 */
export function actionRunner<Actions extends Record<string, { input: unknown; run: unknown }>>(
  connector: { actions: Actions },
  config: () => Record<string, unknown>,
  key: () => string = () => uniqueName('key'),
) {
  return (action: keyof Actions & string, input: unknown, options: ActionCallOptions = {}) => {
    const chosen = connector.actions[action] as unknown as {
      input: { parse(input: unknown): unknown }
      run: (context: unknown) => Promise<any>
    }
    return chosen.run({
      config: { ...config(), ...options.config },
      input: chosen.input.parse(input),
      signal: options.signal ?? new AbortController().signal,
      idempotencyKey: options.key ?? key(),
      logger: noopLogger,
    })
  }
}

/**
 * Returns `check(extra)`, which calls `connector.check` as the engine's preflight would:
 * `config()` (resolved) merged with `extra`, a fresh signal and a silent logger.
 *
 * @example
 * ```ts
 * const check = checkRunner(redisConnector, () => config)
 * await check({ port: 1 }) // rejects with reason network
 * ```
 */
export function checkRunner(
  connector: { check?: ((context: never) => Promise<void>) | undefined },
  config: () => Record<string, unknown>,
) {
  const check = connector.check as unknown as (context: unknown) => Promise<void>
  return (extra: Record<string, unknown> = {}) =>
    check({
      config: { ...config(), ...extra },
      signal: new AbortController().signal,
      logger: noopLogger,
    })
}

/**
 * Awaits `promise`, expects it to reject with a {@link ConnectorError} (a TesseraError), and
 * returns that error.
 *
 * @example
 * ```ts
 * const error = await connectorFailure(run('query', { sql: 'SELECT * FROM missing' }))
 * expect(error.reason).toBe('not-found')
 * ```
 */
export async function connectorFailure(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await rejection(promise)
  expect(TesseraError.isInstance(error)).toBe(true)
  expect(ConnectorError.isInstance(error)).toBe(true)
  return error as ConnectorError
}

/**
 * What `promise` rejects with, or undefined when it resolves (for a driver's own error).
 *
 * @example
 * ```ts
 * expect(await rejection(client.query('SELECT 1; SELECT 2'))).toMatchObject({ code: '42601' })
 * ```
 */
export function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
}
