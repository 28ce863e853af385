import type { Logger } from '@tessera/core'
import type { AgentEvent } from '../agent/agent-event'

/** Sends an agent event to the listener and the log. */
export type AgentEmit = (event: AgentEvent) => void

/**
 * Delivers each event to `onEvent` and writes a log line for it (text deltas excepted): inside a
 * workflow the logger is the step's, so model and tool calls appear in the run's log. A listener
 * that throws is logged, never allowed to fail the agent.
 *
 * @example
 * ```ts
 * const emit = createAgentEmitter(options.onEvent, execution.logger)
 * ```
 */
export function createAgentEmitter(
  onEvent: ((event: AgentEvent) => void) | undefined,
  logger: Logger,
): AgentEmit {
  return (event) => {
    logEvent(logger, event)
    if (onEvent === undefined) return
    try {
      onEvent(event)
    } catch (error) {
      logger.warn('agent event listener threw', {
        agentId: event.agentId,
        event: event.type,
        error: error instanceof Error ? error.message : String(error),
      })
    }
  }
}

function logEvent(logger: Logger, event: AgentEvent): void {
  const fields = { agentId: event.agentId, path: event.path.join('/') }
  switch (event.type) {
    case 'text-delta':
    case 'model-call-start':
      return
    case 'model-call-end':
      logger.info('agent model call', {
        ...fields,
        callNumber: event.callNumber,
        purpose: event.purpose,
        provider: event.provider,
        modelId: event.modelId,
        finishReason: event.finishReason,
        inputTokens: event.usage.inputTokens,
        outputTokens: event.usage.outputTokens,
        costUsd: event.costUsd,
        durationMs: event.durationMs,
        replayed: event.replayed,
        ...(event.fallbacks?.length ? { fallbacks: event.fallbacks.length } : {}),
      })
      return
    case 'tool-call':
      logger.debug('agent tool call', {
        ...fields,
        toolName: event.toolName,
        toolCallId: event.toolCallId,
      })
      return
    case 'tool-result':
      ;(event.isError ? logger.warn : logger.info).call(logger, 'agent tool result', {
        ...fields,
        toolName: event.toolName,
        toolCallId: event.toolCallId,
        isError: event.isError,
        durationMs: event.durationMs,
        replayed: event.replayed,
      })
      return
    case 'tool-approval-request':
      logger.info('agent tool awaits approval', {
        ...fields,
        toolName: event.toolName,
        approvalId: event.approvalId,
      })
      return
    case 'tool-approval-end':
      logger.info('agent tool approval decided', {
        ...fields,
        toolName: event.toolName,
        approvalId: event.approvalId,
        approved: event.approved,
      })
      return
    case 'handoff-start':
      logger.info('agent handoff', { ...fields, targetAgentId: event.targetAgentId })
      return
    case 'agent-end':
      logger.info('agent end', {
        ...fields,
        modelCalls: event.modelCalls,
        inputTokens: event.usage.inputTokens,
        outputTokens: event.usage.outputTokens,
        costUsd: event.costUsd,
      })
      return
  }
}
