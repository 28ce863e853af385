import type { AgentEvent } from '../agent/agent-event'
import type { Agent, AgentGenerateOptions, AgentResult } from '../agent/define-agent'
import type { AgentExecution } from './agent-execution'

/** Where a nested agent runs: inside whose run, and under which names. */
export interface NestedAgentPlacement {
  /** The calling agent's execution. */
  execution: AgentExecution
  /** Names the nested run's durable units and approvals: `agent:<call id>:`, `handoff:<n>:`. */
  segment: string
  /** The calling agent's path; the nested agent's events are reported below it. */
  path: readonly string[]
  /** The caller's listener (not its emitter: the nested agent logs its own events). */
  onEvent: ((event: AgentEvent) => void) | undefined
}

/**
 * Runs an agent that has no `defineAgent` loop (a pre-built agent, or your own {@link Agent})
 * as part of another agent's run, through its own `generate()`, so that its code runs: rules,
 * chunking, PII masking before any model sees the text. Inside a workflow step it gets the
 * step's context with `scope` set to the caller's prefix and `segment`, so its model calls,
 * tool calls and approvals are durable units of the step under that scope, exactly where a
 * `defineAgent` sub-agent's would be. Outside workflows its tool approvals go to the caller's
 * `approve`. Its events reach the caller's listener with paths below the caller's; the result's
 * usage and cost are the caller's to add.
 *
 * @example
 * ```ts
 * const result = await generateNestedAgent(redactor, text, { execution, segment: 'agent:call_1:', path: ['support'], onEvent })
 * ```
 */
export function generateNestedAgent(
  agent: Agent<any, any>,
  input: unknown,
  placement: NestedAgentPlacement,
): Promise<AgentResult<unknown>> {
  const { execution, path, onEvent } = placement
  const scope = execution.prefix + placement.segment
  const listening: AgentGenerateOptions =
    onEvent === undefined
      ? {}
      : { onEvent: (event) => onEvent({ ...event, path: [...path, ...event.path] }) }
  const placed: AgentGenerateOptions =
    execution.context === undefined
      ? {
          idempotencyKey: `${execution.idempotencyKey}:${scope}`,
          approve: (request) =>
            execution.approval({ ...request, approvalId: scope + request.approvalId }, {}),
        }
      : { context: execution.context, scope, idempotencyKey: execution.idempotencyKey }
  return agent.generate(input, {
    signal: execution.signal,
    logger: execution.logger,
    ...(execution.secrets === undefined ? {} : { secrets: execution.secrets }),
    ...listening,
    ...placed,
  })
}
