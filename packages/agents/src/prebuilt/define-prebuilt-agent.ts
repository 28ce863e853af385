import {
  InvalidArgumentError,
  toValidationIssues,
  type ApprovalDecision,
  type Duration,
  type LanguageModelV1,
  type Logger,
  type ModelMessage,
} from '@tessera/core'
import type { z } from 'zod'
import { createAgent } from '../agent/create-agent'
import type { Agent } from '../agent/define-agent'
import { createAgentEmitter } from '../runtime/agent-emitter'
import { namedValidationError } from '../runtime/named-validation-error'
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
   * `onEvent` (their `path` starting with this agent's id); its tokens and cost are added to the
   * result.
   */
  call<TInput, TOutput>(
    agent: Agent<TInput, TOutput>,
    input: TInput,
    segment: string,
  ): Promise<TOutput>
  /**
   * Inside a workflow step: suspends the run until `run.approve(approvalName(name), data)` or
   * `run.reject(approvalName(name), reason)`. Undefined when the agent runs on its own.
   */
  approval:
    | ((name: string, options: { timeout?: Duration }) => Promise<ApprovalDecision<unknown>>)
    | undefined
  /**
   * The name `approval(name)` waits under: `name` itself as a workflow step (`agentStep`) or
   * with `generate(input, { context })`; under the scope when one was given, as for a sub-agent
   * (`agent:<call id>:<name>`), so two calls in one step never share a decision.
   */
  approvalName(name: string): string
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
 * It has no `defineAgent` loop, so `agentAsTool()` and `handoff()` run it through its
 * `generate()` (with the step's context and a scope inside workflows): its code always runs.
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

  return createAgent<TInput, TOutput>({
    id,
    description: settings.description,
    input: settings.input,
    output: settings.output,
    model: settings.model,
    tools: {},
    execute: async ({ input, options, onEvent, signal, logger }) => {
      const context = options.context
      const scope = options.scope ?? `${id}:`
      const approvalName = (name: string) => (options.scope ?? '') + name
      const total = emptyUsageTotal()
      const messages: ModelMessage[] = []
      const steps: AgentStepRecord[] = []

      const session: PrebuiltSession = {
        signal,
        logger,
        approval:
          context === undefined
            ? undefined
            : (name, approvalOptions) => context.approval(approvalName(name), approvalOptions),
        approvalName,
        durable: (name, fn) =>
          context === undefined ? Promise.resolve().then(fn) : context.durable(scope + name, fn),
        call: async (agent, callInput, segment) => {
          signal.throwIfAborted()
          const result = await agent.generate(callInput, {
            signal,
            logger,
            ...(onEvent === undefined
              ? {}
              : { onEvent: (event) => onEvent({ ...event, path: [id, ...event.path] }) }),
            ...(options.approve === undefined ? {} : { approve: options.approve }),
            ...(options.secrets === undefined ? {} : { secrets: options.secrets }),
            ...(options.idempotencyKey === undefined
              ? {}
              : { idempotencyKey: `${options.idempotencyKey}:${segment}` }),
            ...(context === undefined ? {} : { context, scope: scope + segment }),
          })
          addUsage(total, result.usage, result.costUsd)
          messages.push(...result.messages)
          steps.push(...result.steps)
          return result.output
        },
      }
      const value = await settings.run(input, session)
      const checked = settings.output.safeParse(value)
      if (!checked.success) {
        throw namedValidationError(
          `Agent "${id}"`,
          'output',
          toValidationIssues(checked.error.issues, value),
        )
      }
      createAgentEmitter(
        onEvent,
        logger,
      )({
        type: 'agent-end',
        agentId: id,
        path: [id],
        output: checked.data,
        usage: { ...total.usage },
        costUsd: total.costUsd,
        modelCalls: steps.length,
      })
      return { output: checked.data, messages, usage: total.usage, costUsd: total.costUsd, steps }
    },
  })
}
