import type { z } from 'zod'
import type { StepContext } from '../builder/step'
import type { Logger } from './logger'

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
