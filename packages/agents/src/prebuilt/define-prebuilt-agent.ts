import {
  InvalidArgumentError,
  ValidationError,
  noopLogger,
  type AgentRunContext,
  type ApprovalDecision,
  type Duration,
  type LanguageModelV1,
  type Logger,
  type ModelMessage,
  toValidationIssues,
} from '@tessera/core'
import type { z } from 'zod'
import type { AgentEvent } from '../agent/agent-event'
import { createAgentStream } from '../agent/agent-stream'
import type { Agent, AgentGenerateOptions, AgentResult } from '../agent/define-agent'
import type { AgentDefinition } from '../runtime/agent-definition'
import type { DurableStepContext } from '../runtime/agent-execution'
import type { AgentStepRecord } from '../runtime/run-agent-loop'
import { addUsage, emptyUsageTotal } from '../runtime/usage-total'

/**
 * What the code of a pre-built agent gets while it runs: inner agents to call (their model calls
 * are durable units inside a workflow), the workflow's approval when there is one, the signal
 * and the logger.
 */
export interface PrebuiltSession {
  /**
   * Runs an inner agent (made with `defineAgent`) as part of this one. Inside a workflow its
   * model calls are durable units named under `segment` (letters, digits, `-`, `_`, `.`, `:`,
   * ending in `:`), so give each call of one run its own segment; its events reach the caller's
   * `onEvent`; its tokens and cost are added to the result.
   */
  call<TInput, TOutput>(
    agent: Agent<TInput, TOutput>,
    input: TInput,
    segment: string,
  ): Promise<TOutput>
  /**
   * Inside a workflow step: suspends the run until `run.approve(name, data)` or
   * `run.reject(name, reason)`. Undefined when the agent runs on its own.
   */
  approval:
    | ((name: string, options: { timeout?: Duration }) => Promise<ApprovalDecision<unknown>>)
    | undefined
  /**
   * Runs `fn` once: inside a workflow its JSON result is recorded under `name` (within the
   * agent's scope) and replayed when the step runs again; on its own it simply runs.
   */
  durable<T>(name: string, fn: () => T | Promise<T>): Promise<T>
  signal: AbortSignal
  logger: Logger
}

/** What {@link definePrebuiltAgent} takes. */
export interface PrebuiltAgentSettings<TInput, TOutput> {
  id: string
  description: string
  /** The model of the agent's model calls (what `agent.model` reports). */
  model: LanguageModelV1
  input: z.ZodType<TInput, any>
  output: z.ZodType<TOutput, any>
  /** The agent's code: deterministic parts here, model calls through `session.call`. */
  run: (input: TInput, session: PrebuiltSession) => Promise<TOutput>
}

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/

/**
 * Builds an {@link Agent} whose work is code around inner `defineAgent` agents: rules before a
 * model call, map-reduce over chunks, templates filled before the model sees them, an approval
 * after it. It behaves like any agent: `generate`, `stream`, `run` (the AgentV1 port) and
 * `agentStep(agent)`, where the inner model calls are durable units of the step and
 * `session.approval` suspends the run.
 *
 * Such an agent runs its code only when called through `generate`/`stream`/`run`/`agentStep`:
 * `agentAsTool()` and `handoff()` run a `defineAgent` loop directly and refuse it (wrap it in a
 * `tool()` whose `execute` calls `agent.generate` instead).
 *
 * @example
 * ```ts
 * const agent = definePrebuiltAgent({
 *   id: 'triage', description: 'Triage', model, input: z.string(), output: z.string(),
 *   run: async (input, session) => (input.includes('refund') ? 'billing' : session.call(inner, input, 'ask:')),
 * })
 * ```
 */
export function definePrebuiltAgent<TInput, TOutput>(
  settings: PrebuiltAgentSettings<TInput, TOutput>,
): Agent<TInput, TOutput> {
  const { id } = settings
  if (typeof id !== 'string' || !idPattern.test(id)) {
    throw new InvalidArgumentError({
      fn: 'definePrebuiltAgent',
      argument: 'id',
      expected: 'a string of letters, digits, "-", "_", "." or ":" (at most 200)',
      received: id,
    })
  }

  const execute = async (
    input: unknown,
    options: AgentGenerateOptions,
    onEvent: ((event: AgentEvent) => void) | undefined,
    signal: AbortSignal,
  ): Promise<AgentResult<TOutput>> => {
    const parsed = settings.input.safeParse(input)
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
    const scope = options.scope ?? `${id}:`
    const total = emptyUsageTotal()
    const messages: ModelMessage[] = []
    const steps: AgentStepRecord[] = []
    let modelCalls = 0

    const session: PrebuiltSession = {
      signal,
      logger,
      approval:
        context === undefined
          ? undefined
          : (name, approvalOptions) => context.approval(name, approvalOptions),
      durable: (name, fn) =>
        context === undefined ? Promise.resolve().then(fn) : context.durable(scope + name, fn),
      call: async (agent, callInput, segment) => {
        signal.throwIfAborted()
        const result = await agent.generate(callInput, {
          signal,
          logger,
          ...(onEvent === undefined ? {} : { onEvent }),
          ...(options.idempotencyKey === undefined
            ? {}
            : { idempotencyKey: `${options.idempotencyKey}:${segment}` }),
          ...(context === undefined ? {} : { context, scope: scope + segment }),
        })
        addUsage(total, result.usage, result.costUsd)
        messages.push(...result.messages)
        steps.push(...result.steps)
        modelCalls += result.steps.length
        return result.output
      },
    }
    const value = await settings.run(parsed.data, session)
    const checked = settings.output.safeParse(value)
    if (!checked.success) {
      const error = new ValidationError({
        target: 'output',
        issues: toValidationIssues(checked.error.issues, value),
      })
      error.message = error.message.replace(/^Value/, `Agent "${id}"`)
      throw error
    }
    const end: AgentEvent = {
      type: 'agent-end',
      agentId: id,
      path: [id],
      output: checked.data,
      usage: { ...total.usage },
      costUsd: total.costUsd,
      modelCalls,
    }
    logger.info('agent end', {
      agentId: id,
      modelCalls,
      inputTokens: total.usage.inputTokens,
      outputTokens: total.usage.outputTokens,
      costUsd: total.costUsd,
    })
    if (onEvent !== undefined) {
      try {
        onEvent(end)
      } catch (error) {
        logger.warn('agent event listener threw', {
          agentId: id,
          event: end.type,
          error: error instanceof Error ? error.message : String(error),
        })
      }
    }
    return {
      output: checked.data,
      messages,
      usage: total.usage,
      costUsd: total.costUsd,
      steps,
    }
  }

  const agent: Agent<TInput, TOutput> = {
    specificationVersion: 'v1',
    kind: 'agent',
    id,
    description: settings.description,
    input: settings.input,
    output: settings.output,
    model: settings.model,
    tools: Object.freeze({}),
    // No loop definition: agentAsTool() and handoff() refuse this agent instead of running a
    // loop that would skip its code.
    '~definition': undefined as unknown as AgentDefinition,
    async generate(input, options = {}) {
      checkOptions(id, options)
      const signal = options.signal ?? options.context?.signal ?? new AbortController().signal
      return execute(input, options, options.onEvent, signal)
    },
    stream(input, options = {}) {
      checkOptions(id, options)
      const outer = options.signal ?? options.context?.signal
      return createAgentStream(
        (emit, signal) =>
          execute(
            input,
            options,
            (event) => {
              emit(event)
              options.onEvent?.(event)
            },
            signal,
          ),
        outer,
      )
    },
    async run(runContext: AgentRunContext<TInput>) {
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
}
