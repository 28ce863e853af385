import type { z } from 'zod'
import type { Logger } from './logger'
import type { WithSecretsResolved } from './secrets-provider-v1'

/** What an action receives when it runs. */
export interface ConnectorActionContext<TConfig, TInput> {
  /** The node's configuration, with every secret reference resolved to its value. */
  config: WithSecretsResolved<TConfig>
  input: TInput
  signal: AbortSignal
  /** Stable per step instance: pass it to external systems that deduplicate requests. */
  idempotencyKey: string
  logger: Logger
}

/** A worked example of an action's input, shown by the designer and the HTTP API. */
export interface ConnectorActionExample<TInput = unknown> {
  title?: string
  input: TInput
}

/** One operation of a connector, such as `send-message` or `query`. */
export interface ConnectorAction<TConfig = unknown, TInput = unknown, TOutput = unknown> {
  /** A short human name, such as "Send a message". */
  title?: string
  description?: string
  /** Inputs that the action's input schema accepts, for documentation and the designer. */
  examples?: readonly ConnectorActionExample<TInput>[]
  input: z.ZodType<TInput, any>
  output: z.ZodType<TOutput, any>
  run(context: ConnectorActionContext<TConfig, TInput>): Promise<TOutput>
}

/**
 * The connector port, version 1: an external system (Slack, PostgreSQL, HTTP, …) with a
 * zod-described configuration and a set of typed actions. `defineConnector()` builds one.
 *
 * @example
 * ```ts
 * const http = defineConnector({ id: 'http', config: z.object({ baseUrl: z.string().url() }), actions: { get } })
 * ```
 */
export interface ConnectorV1<TConfig = any> {
  readonly specificationVersion: 'v1'
  readonly kind: 'connector'
  readonly id: string
  readonly name: string
  readonly description: string | undefined
  /** Where the connector is documented (a URL). */
  readonly docs?: string | undefined
  readonly config: z.ZodType<TConfig, any>
  readonly actions: Readonly<Record<string, ConnectorAction<TConfig, any, any>>>
  /**
   * Checks that a configuration works before any run uses it: credentials accepted, host
   * reachable. Throws a `ConnectorError` (reason `network`, `timeout`, `unauthorized` or
   * `invalid-config`) when it does not. `engine.preflight()` calls it.
   */
  readonly check?: (context: ConnectorCheckContext<TConfig>) => Promise<void>
}

/** What a connector's `check` receives. */
export interface ConnectorCheckContext<TConfig> {
  config: WithSecretsResolved<TConfig>
  signal: AbortSignal
  logger: Logger
}
