import type { Clock, LanguageModelV1, ModelTool, ModelToolChoice } from '@tessera/core'
import type { z } from 'zod'
import type { AgentMemory } from '../memory/agent-memory'
import type { PriceTable } from '../pricing/create-price-table'
import type { OutputMode } from './output-mode'
import type { ToolEntry } from './run-tool-call'

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
  toolChoice: ModelToolChoice | undefined
  maxSteps: number
  repairAttempts: number
  temperature: number | undefined
  maxOutputTokens: number | undefined
  providerOptions: Record<string, Record<string, unknown>> | undefined
  memory: ResolvedMemory | undefined
  clock: Clock
  priceTable: PriceTable | undefined
}
