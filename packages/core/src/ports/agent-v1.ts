import type { z } from 'zod'
import type { StepContext } from '../builder/step'
import type { Logger } from './logger'
import type { SecretsProviderV1 } from './secrets-provider-v1'

/**
 * What an agent receives when it runs. Inside a workflow step (an `agent` node) `durable` and
 * `approval` are the step's: an agent that records its model and tool calls with them is not
 * called, or paid, again for completed calls when the step runs again.
 */
export interface AgentRunContext<TInput> {
  input: TInput
  signal: AbortSignal
  idempotencyKey: string
  logger: Logger
  durable?: StepContext<TInput>['durable']
  approval?: StepContext<TInput>['approval']
  /**
   * Inside an engine (an `agent` node): the engine's `secrets` providers, asked in order, so the
   * agent's tools can resolve `{ $secret: 'NAME' }` references in connector configs. Undefined
   * when the engine has none, and outside engines.
   */
  secrets?: SecretsProviderV1
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
