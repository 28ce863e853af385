import type { z } from 'zod'
import type { Logger } from './logger'

/** What an agent receives when it runs. */
export interface AgentRunContext<TInput> {
  input: TInput
  signal: AbortSignal
  idempotencyKey: string
  logger: Logger
}

/**
 * The agent port, version 1: anything that turns a typed input into a typed output by reasoning,
 * usually with a language model. `@tessera/agents` builds them with `defineAgent()`; the registry
 * lists them with JSON Schemas for the designer.
 *
 * @example
 * ```ts
 * const plugin = definePlugin({ name: 'support', agents: [triageAgent] })
 * ```
 */
export interface AgentV1<TInput = any, TOutput = any> {
  readonly specificationVersion: 'v1'
  readonly kind: 'agent'
  readonly id: string
  readonly description: string | undefined
  readonly input: z.ZodType<TInput, any>
  readonly output: z.ZodType<TOutput, any>
  run(context: AgentRunContext<TInput>): Promise<TOutput>
}
