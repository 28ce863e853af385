import type { Clock, LanguageModelV1, ModelTool, ModelToolChoice } from '@tessera/core'
import type { z } from 'zod'
import type { AgentMemory } from '../memory/agent-memory'
import type { PriceTable } from '../pricing/create-price-table'
import type { OutputMode } from './output-mode'
import type { ToolEntry } from './run-tool-call'

/** Where the agent's loop is, for a `toolChoice` function. */
export interface ToolChoiceContext {
  /** 1 for the first model call of this answer, 2 for the next, … (repair turns not counted). */
  step: number
  /** How many tool calls the model has made so far in this answer. */
  toolCalls: number
}

/**
 * Which tools the model may call: one choice for every call, or a function of where the loop
 * is (`undefined` leaves the provider's default, `auto`).
 */
export type AgentToolChoice =
  ModelToolChoice | ((context: ToolChoiceContext) => ModelToolChoice | undefined)

/** An agent's memory, resolved from its settings. */
export interface ResolvedMemory {
  memory: AgentMemory
  threadId: ((input: any) => string) | undefined
  tokenBudget: number | undefined
  summarizer: LanguageModelV1
  /** The share of the budget the newest turns keep when older ones are summarised. */
  keepRatio: number
}

/** Everything the loop needs to know about an agent, checked and precomputed by `defineAgent`. */
export interface AgentDefinition {
  id: string
  model: LanguageModelV1
  instructions: string | ((input: any) => string)
  prompt: (input: any) => string
  inputSchema: z.ZodType
  outputSchema: z.ZodType
  outputMode: OutputMode
  tools: ReadonlyMap<string, ToolEntry>
  modelTools: readonly ModelTool[]
  toolChoice: AgentToolChoice | undefined
  maxSteps: number
  repairAttempts: number
  temperature: number | undefined
  maxOutputTokens: number | undefined
  providerOptions: Record<string, Record<string, unknown>> | undefined
  memory: ResolvedMemory | undefined
  clock: Clock
  priceTable: PriceTable | undefined
}
