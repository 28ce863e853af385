import {
  InvalidArgumentError,
  systemClock,
  type Clock,
  type LanguageModelV1,
  type StoreV1,
} from '@tessera/core'
import { z } from 'zod'
import { isAgentMemory, type AgentMemory } from '../memory/agent-memory'
import { createStoreMemory } from '../memory/create-store-memory'
import type { PriceTable } from '../pricing/create-price-table'
import type { AgentDefinition, AgentToolChoice, ResolvedMemory } from '../runtime/agent-definition'
import { outputModeOf } from '../runtime/output-mode'
import type { ToolEntry } from '../runtime/run-tool-call'
import { modelToolOf } from '../tools/model-tool-of'
import { isTool, type Tool } from '../tools/tool'

/** An agent's conversation memory. */
export interface AgentMemorySettings<TInput> {
  /** Where threads live: a store with the `threads` capability, or any {@link AgentMemory}. */
  store: StoreV1 | AgentMemory
  /** The thread of a run, from its input (`generate(…, { threadId })` takes precedence). */
  threadId?: (input: TInput) => string
  /**
   * When the estimated tokens of the summary, the stored messages and the new turn exceed this,
   * the oldest turns are summarised before the model is called. Default: never summarise.
   */
  tokenBudget?: number
  /** The model that writes summaries. Default: the agent's model. */
  summarizer?: LanguageModelV1
  /** The share of `tokenBudget` the newest turns keep after a summary. Default 0.5. */
  keepRatio?: number
}

/** What {@link defineAgent} takes. */
export interface AgentSettings<
  TInputSchema extends z.ZodType = z.ZodString,
  TOutputSchema extends z.ZodType = z.ZodString,
> {
  /** Unique among your agents; also the default step id of `agentStep`. */
  id: string
  description?: string
  /** The system prompt, or a function of the input that returns it. */
  instructions: string | ((input: z.output<TInputSchema>) => string)
  model: LanguageModelV1
  /** The tools the model may call, keyed by the name it sees (letters, digits, `_`, `-`). */
  tools?: Readonly<Record<string, Tool>>
  /** Default `z.string()`. */
  input?: TInputSchema
  /**
   * Default `z.string()` (the answer's text). Any other schema asks for structured output
   * (`responseFormat`), validated on return, with up to `repairAttempts` repair turns.
   */
  output?: TOutputSchema
  /** How the input becomes the user message. Default: strings as they are, other values as JSON. */
  prompt?: (input: z.output<TInputSchema>) => string
  memory?: AgentMemorySettings<z.output<TInputSchema>>
  /** The most model calls for one answer (repairs not counted). Default 8. */
  maxSteps?: number
  /** How many times an invalid answer is sent back for repair. Default 2. */
  repairAttempts?: number
  temperature?: number
  maxOutputTokens?: number
  /**
   * Which tools the model may call: `auto` (the default), `required`, `none`, one named tool, or
   * a function of the loop's position returning one of those. A forced choice applies to every
   * call, so forcing a tool for the whole answer loops until `maxSteps`: to force a first tool
   * call, return it only while `toolCalls === 0`.
   */
  toolChoice?: AgentToolChoice
  providerOptions?: Record<string, Record<string, unknown>>
  /** Time for durations and memory timestamps. Default: the system clock. */
  clock?: Clock
  /**
   * Prices model calls whose response carries no cost (`withCost` sets one), for the events and
   * the result. Default: `defaultPriceTable`; unknown models cost `undefined`.
   */
  priceTable?: PriceTable
}

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/
const toolNamePattern = /^[A-Za-z0-9_-]{1,64}$/

/**
 * Checks an agent's settings and precomputes what its loop needs (tool schemas, output mode,
 * memory); throws `InvalidArgumentError` naming the setting.
 *
 * @example
 * ```ts
 * const definition = checkAgentSettings({ id: 'triage', instructions, model })
 * ```
 */
export function checkAgentSettings(settings: AgentSettings<z.ZodType, z.ZodType>): AgentDefinition {
  const fn = 'defineAgent'
  const invalid = (argument: string, expected: string, received: unknown) =>
    new InvalidArgumentError({ fn, argument, expected, received })
  if (typeof settings !== 'object' || settings === null) {
    throw invalid('settings', 'an object with id, instructions and model', settings)
  }
  const { id } = settings
  if (typeof id !== 'string' || !idPattern.test(id)) {
    throw invalid('id', 'a string of letters, digits, "-", "_", "." or ":" (at most 200)', id)
  }
  const where = (argument: string) => `${argument} (agent "${id}")`
  const model = settings.model
  if (
    typeof model !== 'object' ||
    model === null ||
    typeof model.generate !== 'function' ||
    typeof model.capabilities !== 'object'
  ) {
    throw invalid(where('model'), 'a LanguageModelV1 (a provider’s model)', model)
  }
  if (typeof settings.instructions !== 'string' && typeof settings.instructions !== 'function') {
    throw invalid(
      where('instructions'),
      'a string or a function of the input',
      settings.instructions,
    )
  }
  const inputSchema = settings.input ?? z.string()
  const outputSchema = settings.output ?? z.string()
  for (const [argument, schema] of [
    ['input', inputSchema],
    ['output', outputSchema],
  ] as const) {
    if (typeof schema !== 'object' || schema === null || typeof schema.safeParse !== 'function') {
      throw invalid(where(argument), 'a zod schema', schema)
    }
  }
  const outputMode = outputModeOf(outputSchema, id)
  if (outputMode.kind === 'json' && !model.capabilities.structuredOutput) {
    throw invalid(
      where('output'),
      `a string schema, or a model with structured output (${model.provider} model "${model.modelId}" has none)`,
      settings.output,
    )
  }

  const tools = new Map<string, ToolEntry>()
  const toolsSetting = settings.tools ?? {}
  if (typeof toolsSetting !== 'object' || toolsSetting === null || Array.isArray(toolsSetting)) {
    throw invalid(where('tools'), 'a record of tools keyed by name', toolsSetting)
  }
  for (const [name, value] of Object.entries(toolsSetting)) {
    if (!toolNamePattern.test(name)) {
      throw invalid(where(`tools key`), '1–64 letters, digits, "_" or "-"', name)
    }
    if (!isTool(value)) {
      throw invalid(
        where(`tools.${name}`),
        'a tool made by tool(), connectorTool(), agentAsTool() or handoff()',
        value,
      )
    }
    tools.set(name, { tool: value, view: modelToolOf(name, value) })
  }
  if (tools.size > 0 && !model.capabilities.tools) {
    throw invalid(
      where('model'),
      `a model that can call tools, for tools ${[...tools.keys()].map((name) => `"${name}"`).join(', ')}`,
      `${model.provider} model "${model.modelId}" without tool support`,
    )
  }

  const maxSteps = settings.maxSteps ?? 8
  if (!Number.isInteger(maxSteps) || maxSteps < 1) {
    throw invalid(where('maxSteps'), 'a positive integer', maxSteps)
  }
  const repairAttempts = settings.repairAttempts ?? 2
  if (!Number.isInteger(repairAttempts) || repairAttempts < 0) {
    throw invalid(where('repairAttempts'), 'an integer >= 0', repairAttempts)
  }
  const prompt = settings.prompt ?? defaultPrompt
  if (typeof prompt !== 'function') {
    throw invalid(where('prompt'), 'a function (input) => string', prompt)
  }
  return {
    id,
    model,
    instructions: settings.instructions,
    prompt,
    inputSchema,
    outputSchema,
    outputMode,
    tools,
    modelTools: [...tools.values()].map((entry) => entry.view.modelTool),
    toolChoice: checkToolChoice(settings.toolChoice, tools, where('toolChoice')),
    maxSteps,
    repairAttempts,
    temperature: settings.temperature,
    maxOutputTokens: settings.maxOutputTokens,
    providerOptions: settings.providerOptions,
    memory:
      settings.memory === undefined ? undefined : resolveMemory(settings.memory, model, where),
    clock: settings.clock ?? systemClock,
    priceTable: settings.priceTable,
  }
}

/** A fixed choice must name a tool the agent has; a function is checked by the provider. */
function checkToolChoice(
  choice: AgentToolChoice | undefined,
  tools: ReadonlyMap<string, ToolEntry>,
  argument: string,
): AgentToolChoice | undefined {
  if (choice === undefined || typeof choice === 'function') return choice
  if (choice === 'auto' || choice === 'required' || choice === 'none') return choice
  if (
    typeof choice === 'object' &&
    choice !== null &&
    choice.type === 'tool' &&
    tools.has(choice.toolName)
  )
    return choice
  const names = [...tools.keys()].map((name) => `"${name}"`).join(', ') || 'none'
  throw new InvalidArgumentError({
    fn: 'defineAgent',
    argument,
    expected: `"auto", "required", "none", a function, or { type: 'tool', toolName } naming one of the agent's tools (${names})`,
    received: choice,
  })
}

function resolveMemory(
  memory: AgentMemorySettings<unknown>,
  model: LanguageModelV1,
  where: (argument: string) => string,
): ResolvedMemory {
  const invalid = (argument: string, expected: string, received: unknown) =>
    new InvalidArgumentError({ fn: 'defineAgent', argument: where(argument), expected, received })
  if (typeof memory !== 'object' || memory === null) {
    throw invalid('memory', 'an object with a store', memory)
  }
  const store = memory.store
  if (!isAgentMemory(store)) {
    throw invalid(
      'memory.store',
      'a store with the threads capability (capabilities.threads), or an AgentMemory',
      store,
    )
  }
  const threads = createStoreMemory(store as StoreV1)
  if (memory.threadId !== undefined && typeof memory.threadId !== 'function') {
    throw invalid('memory.threadId', 'a function (input) => thread id', memory.threadId)
  }
  if (
    memory.tokenBudget !== undefined &&
    (typeof memory.tokenBudget !== 'number' || !(memory.tokenBudget > 0))
  ) {
    throw invalid('memory.tokenBudget', 'a positive number of tokens', memory.tokenBudget)
  }
  const keepRatio = memory.keepRatio ?? 0.5
  if (typeof keepRatio !== 'number' || !(keepRatio > 0 && keepRatio < 1)) {
    throw invalid('memory.keepRatio', 'a number between 0 and 1', keepRatio)
  }
  const summarizer = memory.summarizer ?? model
  if (
    typeof summarizer !== 'object' ||
    summarizer === null ||
    typeof summarizer.generate !== 'function'
  ) {
    throw invalid('memory.summarizer', 'a LanguageModelV1', summarizer)
  }
  return {
    memory: threads,
    threadId: memory.threadId,
    tokenBudget: memory.tokenBudget,
    summarizer,
    keepRatio,
  }
}

function defaultPrompt(input: unknown): string {
  return typeof input === 'string' ? input : JSON.stringify(input)
}
