import type { z } from 'zod'
import type { Logger } from './logger'

/** What an action receives when it runs. */
export interface ConnectorActionContext<TConfig, TInput> {
  config: TConfig
  input: TInput
  signal: AbortSignal
  /** Stable per step instance: pass it to external systems that deduplicate requests. */
  idempotencyKey: string
  logger: Logger
}

/** One operation of a connector, such as `send-message` or `query`. */
export interface ConnectorAction<TConfig = unknown, TInput = unknown, TOutput = unknown> {
  description?: string
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
  readonly config: z.ZodType<TConfig, any>
  readonly actions: Readonly<Record<string, ConnectorAction<TConfig, any, any>>>
}
