import type {
  AgentV1,
  LanguageModelV1,
  Logger,
  ModelMessage,
  SecretsProviderV1,
  TokenUsage,
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
import type { AgentStream } from './agent-stream'
import { createAgent } from './create-agent'

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
  /**
   * Where tools resolve `{ $secret: 'NAME' }` references in connector configs (`connectorTool`),
   * asked in order. Default: the step's (`context.secrets`, the engine's) with `context`; an
   * `agent` node passes the engine's. Sub-agents and handoffs get the same.
   */
  secrets?: SecretsProviderV1 | readonly SecretsProviderV1[]
}

/** An agent: a model, instructions and tools, with typed input and output. */
export interface Agent<TInput = any, TOutput = any> extends AgentV1<TInput, TOutput> {
  readonly model: LanguageModelV1
  readonly tools: Readonly<Record<string, Tool>>
  /** Runs the agent to its answer. */
  generate(input: TInput, options?: AgentGenerateOptions): Promise<AgentResult<TOutput>>
  /** Runs the agent, yielding its events (text deltas included) as they happen. */
  stream(input: TInput, options?: AgentGenerateOptions): AgentStream<AgentResult<TOutput>>
  /**
   * @internal The checked loop of an agent made by `defineAgent`, which sub-agent and handoff
   * calls run directly. Other agents (the pre-built ones, your own) run through `generate`.
   */
  readonly '~definition'?: AgentDefinition
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
  return createAgent<z.output<TInputSchema>, z.output<TOutputSchema>>({
    id,
    description: settings.description,
    input: definition.inputSchema as z.ZodType<z.output<TInputSchema>, any>,
    output: definition.outputSchema as z.ZodType<z.output<TOutputSchema>, any>,
    model: definition.model,
    tools: settings.tools ?? {},
    definition,
    execute: async ({ input, options, onEvent, signal, streaming, logger }) => {
      const context = options.context
      const secrets = providerOf(options.secrets) ?? context?.secrets
      const execution =
        context === undefined
          ? createDirectExecution({
              signal,
              idempotencyKey: options.idempotencyKey ?? globalThis.crypto.randomUUID(),
              logger,
              clock: definition.clock,
              approve: options.approve,
              secrets,
            })
          : {
              ...createStepExecution(context, {
                prefix: options.scope ?? `${id}:`,
                clock: definition.clock,
                fn: `agent "${id}".generate`,
                secrets,
              }),
              signal,
              logger,
              ...(options.idempotencyKey === undefined
                ? {}
                : { idempotencyKey: options.idempotencyKey }),
            }
      const result = await runAgentLoop(definition, input, {
        execution,
        emit: createAgentEmitter(onEvent, logger),
        onEvent,
        path: [id],
        streaming,
        threadId: options.threadId,
        handoffs: { count: 0 },
      })
      return result as AgentResult<z.output<TOutputSchema>>
    },
  })
}

/** `generate({ secrets })` as one provider (asked in order), or undefined. */
function providerOf(
  secrets: SecretsProviderV1 | readonly SecretsProviderV1[] | undefined,
): SecretsProviderV1 | undefined {
  if (secrets === undefined) return undefined
  if (!Array.isArray(secrets)) return secrets as SecretsProviderV1
  const providers = secrets as readonly SecretsProviderV1[]
  if (providers.length <= 1) return providers[0]
  return {
    specificationVersion: 'v1',
    provider: providers.map((provider) => provider.provider).join('+'),
    get: async (name, options) => {
      for (const provider of providers) {
        const value = await provider.get(name, options)
        if (value !== undefined) return value
      }
      return undefined
    },
  }
}
