import {
  InvalidArgumentError,
  noopLogger,
  toValidationIssues,
  type AgentRunContext,
  type LanguageModelV1,
  type Logger,
} from '@tessera/core'
import type { z } from 'zod'
import type { AgentDefinition } from '../runtime/agent-definition'
import type { DurableStepContext } from '../runtime/agent-execution'
import { namedValidationError } from '../runtime/named-validation-error'
import type { Tool } from '../tools/tool'
import type { AgentEvent } from './agent-event'
import { createAgentStream } from './agent-stream'
import type { Agent, AgentGenerateOptions, AgentResult } from './define-agent'

/** One run of an agent, as its `generate()` or `stream()` starts it. */
export interface AgentRun<TInput> {
  /** The input, parsed by the agent's input schema. */
  input: TInput
  options: AgentGenerateOptions
  /** Receives the run's events: `options.onEvent`, and the stream's reader under `stream()`. */
  onEvent: ((event: AgentEvent) => void) | undefined
  /** `options.signal`, else the step's; under `stream()` also aborted when the reader stops. */
  signal: AbortSignal
  /** True when someone listens and the model can stream: answers are then streamed. */
  streaming: boolean
  /** `options.logger`, else the step's (with `agentId`), else none. */
  logger: Logger
}

/** What {@link createAgent} takes: the agent's face, and how one run executes. */
export interface AgentParts<TInput, TOutput> {
  id: string
  description: string | undefined
  input: z.ZodType<TInput, any>
  output: z.ZodType<TOutput, any>
  model: LanguageModelV1
  tools: Readonly<Record<string, Tool>>
  /** A `defineAgent` loop, which sub-agent and handoff calls run directly. */
  definition?: AgentDefinition
  execute: (run: AgentRun<TInput>) => Promise<AgentResult<TOutput>>
}

/**
 * Builds the {@link Agent} object around `execute`: `generate` and `stream` check the options
 * and parse the input (an invalid one fails with `ValidationError` naming the agent), `stream`
 * turns the events into an async iterable, and `run` serves the `AgentV1` port (inside a
 * workflow step, with the step's context). `defineAgent` and the pre-built agents share it.
 *
 * @example
 * ```ts
 * const agent = createAgent({ id, description, input, output, model, tools: {}, execute: async (run) => answer(run.input) })
 * ```
 */
export function createAgent<TInput, TOutput>(
  parts: AgentParts<TInput, TOutput>,
): Agent<TInput, TOutput> {
  const { id, model } = parts

  const start = async (
    input: unknown,
    options: AgentGenerateOptions,
    onEvent: ((event: AgentEvent) => void) | undefined,
    signal: AbortSignal,
    streaming: boolean,
  ): Promise<AgentResult<TOutput>> => {
    const parsed = parts.input.safeParse(input)
    if (!parsed.success) {
      throw namedValidationError(
        `Agent "${id}"`,
        'input',
        toValidationIssues(parsed.error.issues, input),
      )
    }
    const logger =
      options.logger ?? options.context?.logger.child({ agentId: id }) ?? (noopLogger as Logger)
    return parts.execute({ input: parsed.data, options, onEvent, signal, streaming, logger })
  }

  const agent: Agent<TInput, TOutput> = {
    specificationVersion: 'v1',
    kind: 'agent',
    id,
    description: parts.description,
    input: parts.input,
    output: parts.output,
    model,
    tools: Object.freeze({ ...parts.tools }),
    ...(parts.definition === undefined ? {} : { '~definition': parts.definition }),
    async generate(input, options = {}) {
      checkOptions(id, options)
      const signal = options.signal ?? options.context?.signal ?? new AbortController().signal
      const streaming = options.onEvent !== undefined && model.capabilities.streaming
      return start(input, options, options.onEvent, signal, streaming)
    },
    stream(input, options = {}) {
      checkOptions(id, options)
      const outer = options.signal ?? options.context?.signal
      return createAgentStream((emit, signal) => {
        const forward = (event: AgentEvent) => {
          emit(event)
          options.onEvent?.(event)
        }
        return start(input, options, forward, signal, model.capabilities.streaming)
      }, outer)
    },
    async run(runContext: AgentRunContext<TInput>) {
      // Inside a step (an `agent` node): model and tool calls are durable units of the step.
      const { durable, approval } = runContext
      const context: DurableStepContext | undefined =
        typeof durable === 'function' && typeof approval === 'function'
          ? {
              signal: runContext.signal,
              idempotencyKey: runContext.idempotencyKey,
              logger: runContext.logger,
              durable,
              approval,
            }
          : undefined
      const result = await agent.generate(runContext.input, {
        signal: runContext.signal,
        logger: runContext.logger,
        idempotencyKey: runContext.idempotencyKey,
        ...(runContext.secrets === undefined ? {} : { secrets: runContext.secrets }),
        ...(context ? { context, scope: '' } : {}),
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
  if (options.secrets !== undefined) {
    const providers: readonly unknown[] = Array.isArray(options.secrets)
      ? options.secrets
      : [options.secrets]
    for (const provider of providers) {
      if (
        typeof provider !== 'object' ||
        provider === null ||
        typeof (provider as { get?: unknown }).get !== 'function'
      ) {
        throw new InvalidArgumentError({
          fn,
          argument: 'options.secrets',
          expected: 'a secrets provider (mapSecrets(), envSecrets(), …) or an array of them',
          received: provider,
        })
      }
    }
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
