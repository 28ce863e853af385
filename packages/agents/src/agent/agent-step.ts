import {
  createStep,
  InvalidArgumentError,
  type Duration,
  type RetryOptions,
  type Step,
} from '@tessera/core'
import type { AgentEvent } from './agent-event'
import type { Agent } from './define-agent'

/** What {@link agentStep} takes besides the agent. */
export interface AgentStepOptions<TId extends string> {
  /** The step's id. Default: the agent's id. */
  id?: TId
  /** Receives the agent's events (model calls, text deltas, tool calls, …) while the step runs. */
  onEvent?: (event: AgentEvent) => void
  /** The memory thread, from the step's input (default: the agent's `memory.threadId`). */
  threadId?: (input: any) => string
  retry?: RetryOptions
  /** Per-attempt time limit (an approval wait does not count: the run is suspended). */
  timeout?: Duration
}

/**
 * Makes an agent a workflow step: its input and output are the agent's, and each model call
 * (`model:<n>`) and tool call (`tool:<call id>`) is a durable unit of the step. When the step runs
 * again (a retry, recovery after a crash, a resume after an approval) completed calls are
 * replayed from the store: the model is not called, or paid, again. A tool that needs approval
 * suspends the run until `run.approve('approve:<tool>:<call id>', data)` or `run.reject(…)`
 * (the id is in the `tool-approval-request` event and the run's waits); a rejection reaches the
 * model as an error result with the reason. Memory threads are loaded and appended durably too.
 *
 * @example
 * ```ts
 * const workflow = createWorkflow({ id: 'support', input: z.string() })
 *   .then(agentStep(triage))
 *   .then(routeTicket)
 *   .commit()
 * ```
 */
export function agentStep<TInput, TOutput, const TId extends string = string>(
  agent: Agent<TInput, TOutput>,
  options: AgentStepOptions<TId> = {},
): Step<TId, TInput, TOutput> {
  if (
    typeof agent !== 'object' ||
    agent === null ||
    agent.kind !== 'agent' ||
    typeof agent.generate !== 'function'
  ) {
    throw new InvalidArgumentError({
      fn: 'agentStep',
      argument: 'agent',
      expected: 'an agent (defineAgent(), a pre-built agent, or your own with generate())',
      received: agent,
    })
  }
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError({
      fn: 'agentStep',
      argument: 'options',
      expected: 'an object',
      received: options,
    })
  }
  if (options.threadId !== undefined && typeof options.threadId !== 'function') {
    throw new InvalidArgumentError({
      fn: 'agentStep',
      argument: 'options.threadId',
      expected: 'a function (input) => thread id',
      received: options.threadId,
    })
  }
  const step = createStep({
    id: (options.id ?? agent.id) as TId,
    description: agent.description,
    input: agent.input,
    output: agent.output,
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
    run: async (context) => {
      const result = await agent.generate(context.input as TInput, {
        context,
        scope: '',
        ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
        ...(options.threadId === undefined ? {} : { threadId: options.threadId(context.input) }),
      })
      return result.output
    },
  })
  return step as unknown as Step<TId, TInput, TOutput>
}
