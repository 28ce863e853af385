import {
  InvalidArgumentError,
  ValidationError,
  noopLogger,
  type AgentRunContext,
  type AgentV1,
  type LanguageModelV1,
  type Logger,
  type ModelMessage,
  type TokenUsage,
  toValidationIssues,
} from '@tessera/core'
import type { z } from 'zod'
import { createAgentEmitter } from '../runtime/agent-emitter'
import type { AgentDefinition } from '../runtime/agent-definition'
import {
  createDirectExecution,
  createStepExecution,
  type ApproveFunction,
  type DurableStepContext,
} from '../runtime/agent-execution'
import { runAgentLoop, type AgentStepRecord } from '../runtime/run-agent-loop'
import type { Tool } from '../tools/tool'
import type { AgentEvent } from './agent-event'
import { checkAgentSettings, type AgentSettings } from './agent-settings'
import { createAgentStream, type AgentStream } from './agent-stream'

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
  const definition = checkAgentSettings(settings as AgentSettings<z.ZodType, z.ZodType>)
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
      const error = new ValidationError({
        target: 'input',
        issues: toValidationIssues(parsed.error.issues, input),
      })
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
