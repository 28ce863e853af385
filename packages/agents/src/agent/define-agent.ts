import {
  InvalidArgumentError,
  ValidationError,
  noopLogger,
  systemClock,
  type AgentRunContext,
  type AgentV1,
  type Clock,
  type LanguageModelV1,
  type Logger,
  type ModelMessage,
  type ModelToolChoice,
  type StoreV1,
  type TokenUsage,
} from '@tessera/core'
import { z } from 'zod'
import { isAgentMemory, type AgentMemory } from '../memory/agent-memory'
import { createStoreMemory } from '../memory/create-store-memory'
import type { PriceTable } from '../pricing/create-price-table'
import { createAgentEmitter } from '../runtime/agent-emitter'
import type { AgentDefinition, ResolvedMemory } from '../runtime/agent-definition'
import {
  createDirectExecution,
  createStepExecution,
  type ApproveFunction,
  type DurableStepContext,
} from '../runtime/agent-execution'
import { outputModeOf } from '../runtime/output-mode'
import { runAgentLoop, type AgentStepRecord } from '../runtime/run-agent-loop'
import type { ToolEntry } from '../runtime/run-tool-call'
import { issuesOf } from '../runtime/schema-issues'
import { modelToolOf } from '../tools/model-tool-of'
import { isTool, type Tool } from '../tools/tool'
import type { AgentEvent } from './agent-event'
import { createAgentStream, type AgentStream } from './agent-stream'

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
  toolChoice?: ModelToolChoice
  providerOptions?: Record<string, Record<string, unknown>>
  /** Time for durations and memory timestamps. Default: the system clock. */
  clock?: Clock
  /**
   * Prices model calls whose response carries no cost (`withCost` sets one), for the events and
   * the result. Default: `defaultPriceTable`; unknown models cost `undefined`.
   */
  priceTable?: PriceTable
}

/** What `generate()` returns. */
export interface AgentResult<TOutput> {
  output: TOutput
  /** The messages this run added: the user's input, the answers, tool calls and results. */
  messages: ModelMessage[]
  /** Tokens of every model call, sub-agents, handoffs and summaries included. */
  usage: TokenUsage
  /** US dollars, when the models report a cost (a pricing layer). */
  costUsd: number | undefined
  /** Each model call and its tool calls, in order. */
  steps: AgentStepRecord[]
}

/** Options of `agent.generate()` and `agent.stream()`. */
export interface AgentGenerateOptions {
  signal?: AbortSignal
  /** The memory thread of this run (overrides `memory.threadId`). */
  threadId?: string
  /** Receives every event: model calls, text deltas (when the model streams), tool calls, … */
  onEvent?: (event: AgentEvent) => void
  /** Decides approvals for tools that need them, outside workflows. */
  approve?: ApproveFunction
  /**
   * Run inside your own workflow step: pass the step's context and model and tool calls become
   * durable units, and approvals suspend the run.
   */
  context?: DurableStepContext
  /**
   * With `context`: prefixes the names of this agent's durable units and approvals (default
   * `<agent id>:`). Give each call its own scope when one step calls the same agent twice.
   */
  scope?: string
  /** Default: the step's logger with `context`, else none. */
  logger?: Logger
  /** Passed to tools (suffixed per call). Default: the step's with `context`, else random. */
  idempotencyKey?: string
}

/** An agent: a model, instructions and tools, with typed input and output. */
export interface Agent<TInput = any, TOutput = any> extends AgentV1<TInput, TOutput> {
  readonly model: LanguageModelV1
  readonly tools: Readonly<Record<string, Tool>>
  /** Runs the agent to its answer. */
  generate(input: TInput, options?: AgentGenerateOptions): Promise<AgentResult<TOutput>>
  /** Runs the agent, yielding its events (text deltas included) as they happen. */
  stream(input: TInput, options?: AgentGenerateOptions): AgentStream<AgentResult<TOutput>>
  /** @internal The checked definition the runtime executes (sub-agents, handoffs, steps). */
  readonly '~definition': AgentDefinition
}

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/
const toolNamePattern = /^[A-Za-z0-9_-]{1,64}$/

/**
 * Defines an agent: a tool-calling loop with typed input and output. Call it on its own
 * (`generate`, `stream`) or as a workflow step (`agentStep(agent)`), where each model and tool
 * call is durable.
 *
 * @example
 * ```ts
 * const triage = defineAgent({
 *   id: 'triage',
 *   instructions: 'Classify the support ticket.',
 *   model: openai('gpt-4.1-mini'),
 *   tools: { lookupOrder },
 *   output: z.object({ queue: z.enum(['billing', 'shipping', 'other']), reason: z.string() }),
 * })
 * const { output } = await triage.generate('Where is my parcel? Order 7.')
 * output.queue // 'shipping'
 * ```
 */
export function defineAgent<
  TInputSchema extends z.ZodType = z.ZodString,
  TOutputSchema extends z.ZodType = z.ZodString,
>(
  settings: AgentSettings<TInputSchema, TOutputSchema>,
): Agent<z.output<TInputSchema>, z.output<TOutputSchema>> {
  const definition = checkSettings(settings)
  const id = definition.id

  const execute = (
    input: unknown,
    options: AgentGenerateOptions,
    emitTo: ((event: AgentEvent) => void) | undefined,
    signal: AbortSignal,
    streaming: boolean,
  ) => {
    const parsed = definition.inputSchema.safeParse(input)
    if (!parsed.success) {
      const error = new ValidationError({ target: 'input', issues: issuesOf(parsed.error) })
      error.message = error.message.replace(/^Value/, `Agent "${id}"`)
      throw error
    }
    const context = options.context
    const logger =
      options.logger ?? context?.logger.child({ agentId: id }) ?? (noopLogger as Logger)
    const execution =
      context === undefined
        ? createDirectExecution({
            signal,
            idempotencyKey: options.idempotencyKey ?? globalThis.crypto.randomUUID(),
            logger,
            clock: definition.clock,
            approve: options.approve,
          })
        : {
            ...createStepExecution(context, {
              prefix: options.scope ?? `${id}:`,
              clock: definition.clock,
              fn: `agent "${id}".generate`,
            }),
            signal,
            logger,
            ...(options.idempotencyKey === undefined
              ? {}
              : { idempotencyKey: options.idempotencyKey }),
          }
    return runAgentLoop(definition, parsed.data, {
      execution,
      emit: createAgentEmitter(emitTo, logger),
      path: [id],
      streaming,
      threadId: options.threadId,
      handoffs: { count: 0 },
    })
  }

  const agent: Agent<z.output<TInputSchema>, z.output<TOutputSchema>> = {
    specificationVersion: 'v1',
    kind: 'agent',
    id,
    description: settings.description,
    input: definition.inputSchema as z.ZodType<z.output<TInputSchema>, any>,
    output: definition.outputSchema as z.ZodType<z.output<TOutputSchema>, any>,
    model: definition.model,
    tools: Object.freeze({ ...(settings.tools ?? {}) }),
    '~definition': definition,
    async generate(input, options = {}) {
      checkOptions(id, options)
      const signal = options.signal ?? options.context?.signal ?? new AbortController().signal
      const streaming = options.onEvent !== undefined && definition.model.capabilities.streaming
      return (await execute(input, options, options.onEvent, signal, streaming)) as AgentResult<
        z.output<TOutputSchema>
      >
    },
    stream(input, options = {}) {
      checkOptions(id, options)
      const outer = options.signal ?? options.context?.signal
      return createAgentStream(async (emit, signal) => {
        const forward = (event: AgentEvent) => {
          emit(event)
          options.onEvent?.(event)
        }
        return (await execute(
          input,
          options,
          forward,
          signal,
          definition.model.capabilities.streaming,
        )) as AgentResult<z.output<TOutputSchema>>
      }, outer)
    },
    async run(runContext: AgentRunContext<z.output<TInputSchema>>) {
      const durable = runContext as Partial<DurableStepContext>
      const inStep = typeof durable.durable === 'function' && typeof durable.approval === 'function'
      const result = await agent.generate(runContext.input, {
        signal: runContext.signal,
        logger: runContext.logger,
        idempotencyKey: runContext.idempotencyKey,
        ...(inStep ? { context: runContext as unknown as DurableStepContext, scope: '' } : {}),
      })
      return result.output
    },
  }
  return Object.freeze(agent)
}

function checkOptions(id: string, options: AgentGenerateOptions): void {
  const fn = `agent "${id}".generate`
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError({
      fn,
      argument: 'options',
      expected: 'an object',
      received: options,
    })
  }
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function') {
    throw new InvalidArgumentError({
      fn,
      argument: 'options.onEvent',
      expected: 'a function (event) => void',
      received: options.onEvent,
    })
  }
  if (options.approve !== undefined && typeof options.approve !== 'function') {
    throw new InvalidArgumentError({
      fn,
      argument: 'options.approve',
      expected: 'a function (request) => decision',
      received: options.approve,
    })
  }
  if (
    options.threadId !== undefined &&
    (typeof options.threadId !== 'string' || options.threadId === '')
  ) {
    throw new InvalidArgumentError({
      fn,
      argument: 'options.threadId',
      expected: 'a non-empty string',
      received: options.threadId,
    })
  }
}

function checkSettings(settings: AgentSettings<z.ZodType, z.ZodType>): AgentDefinition {
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
    toolChoice: settings.toolChoice,
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
