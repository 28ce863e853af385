import {
  NonRetryableError,
  StructuredOutputError,
  type ContentPart,
  type ModelMessage,
  type TokenUsage,
  toValidationIssues,
} from '@tessera/core'
import type { Agent } from '../agent/define-agent'
import { MaxStepsExceededError } from '../agent/max-steps-exceeded-error'
import type { Tool, ToolContext } from '../tools/tool'
import { unwrapToolInput, type ModelToolView } from '../tools/model-tool-of'
import type { AgentEmit } from './agent-emitter'
import type { AgentExecution } from './agent-execution'
import { describeIssues } from './describe-issues'
import { namedValidationError } from './named-validation-error'

/** A tool result content part, as the model receives it. */
export type ToolResultPart = Extract<ContentPart, { type: 'tool-result' }>

/** A tool of an agent, with its model-facing view. */
export interface ToolEntry {
  tool: Tool
  view: ModelToolView
}

/** What one tool call produced. */
export type ToolCallOutcome =
  | { kind: 'result'; part: ToolResultPart; usage?: TokenUsage; costUsd?: number }
  | { kind: 'handoff'; part: ToolResultPart; agent: Agent<any, any> }

/** Runs a sub-agent for `agentAsTool`, under the durable names below `segment`. */
export type RunSubAgent = (
  agent: Agent<any, any>,
  input: unknown,
  segment: string,
) => Promise<{ output: unknown; usage: TokenUsage; costUsd: number | undefined }>

/** One tool call of the model, and what the loop knows around it. */
export interface ToolCallSettings {
  toolCallId: string
  toolName: string
  /** What the model sent. */
  input: unknown
  /** A name-safe key, unique among this agent's calls: it names the durable unit and approval. */
  unitKey: string
  entry: ToolEntry | undefined
  toolNames: readonly string[]
  messages: readonly ModelMessage[]
  execution: AgentExecution
  emit: AgentEmit
  agentId: string
  path: readonly string[]
  runSubAgent: RunSubAgent
}

/** What a durable tool unit records. */
interface RecordedToolCall {
  output: unknown
  isError: boolean
  durationMs: number
}

/**
 * Runs one tool call: checks the name and the input (mistakes go back to the model as error
 * results), asks for approval when the tool needs it (a rejection is an error result with the
 * reason), then executes the tool as a durable unit `tool:<unitKey>`, so a re-executed workflow
 * step reuses its recorded result. Errors the tool throws become error results unless the tool's
 * `onError` says `throw`, the error is a `NonRetryableError`, or the run was cancelled.
 *
 * @example
 * ```ts
 * const outcome = await runToolCall({ toolCallId, toolName, input, unitKey, entry, … })
 * ```
 */
export async function runToolCall(settings: ToolCallSettings): Promise<ToolCallOutcome> {
  const { toolCallId, toolName, entry, execution, emit } = settings
  const base = { agentId: settings.agentId, path: settings.path }
  emit({ type: 'tool-call', ...base, toolCallId, toolName, input: settings.input })
  const finish = (output: unknown, isError: boolean, durationMs = 0, replayed = false) => {
    emit({
      type: 'tool-result',
      ...base,
      toolCallId,
      toolName,
      output,
      isError,
      durationMs,
      replayed,
    })
    const part: ToolResultPart = {
      type: 'tool-result',
      toolCallId,
      toolName,
      output: output === undefined ? null : output,
      ...(isError ? { isError: true } : {}),
    }
    return part
  }

  if (entry === undefined) {
    const available = settings.toolNames.map((name) => `"${name}"`).join(', ') || 'none'
    return {
      kind: 'result',
      part: finish(
        { error: `There is no tool named "${toolName}". Available tools: ${available}.` },
        true,
      ),
    }
  }
  const { tool, view } = entry
  const sent = unwrapToolInput(view, settings.input)
  const parsed = tool.input.safeParse(sent)
  if (!parsed.success) {
    return {
      kind: 'result',
      part: finish(
        {
          error: `Invalid input for tool "${toolName}":\n${describeIssues(toValidationIssues(parsed.error.issues, sent))}\nCall it again with corrected input.`,
        },
        true,
      ),
    }
  }
  const input: unknown = parsed.data

  let approval: ToolContext['approval']
  const needsApproval =
    typeof tool.needsApproval === 'function' ? tool.needsApproval(input) : tool.needsApproval
  if (needsApproval) {
    const approvalId = `${execution.prefix}approve:${toolName}:${settings.unitKey}`.slice(0, 200)
    emit({ type: 'tool-approval-request', ...base, toolCallId, toolName, input, approvalId })
    const decision = await execution.approval(
      { agentId: settings.agentId, toolName, toolCallId, input, approvalId },
      tool.approvalTimeoutMs === undefined ? {} : { timeout: tool.approvalTimeoutMs },
    )
    emit({
      type: 'tool-approval-end',
      ...base,
      toolCallId,
      toolName,
      approvalId,
      approved: decision.approved,
      reason: decision.approved ? undefined : decision.reason,
      by: decision.by,
    })
    if (!decision.approved) {
      const by = decision.by === undefined ? '' : ` by ${decision.by}`
      const reason = decision.reason === undefined ? '' : `: ${decision.reason}`
      return {
        kind: 'result',
        part: finish(
          {
            error: `The call to "${toolName}" was rejected${by}${reason}. It did not run; do not call it again unless the user asks.`,
          },
          true,
        ),
      }
    }
    approval = decision
  }

  if (tool.delegation?.mode === 'handoff') {
    return {
      kind: 'handoff',
      part: finish({ transferredTo: tool.delegation.agent.id }, false),
      agent: tool.delegation.agent,
    }
  }
  if (tool.delegation?.mode === 'agent') {
    const startedAt = execution.clock.now()
    try {
      const result = await settings.runSubAgent(
        tool.delegation.agent,
        input,
        `agent:${settings.unitKey}:`,
      )
      return {
        kind: 'result',
        part: finish(result.output, false, execution.clock.now() - startedAt),
        usage: result.usage,
        costUsd: result.costUsd,
      }
    } catch (error) {
      // A sub-agent that could not finish is news for the calling model; anything else
      // (model failures, cancellation, a suspension for approval) belongs to the run.
      if (!MaxStepsExceededError.isInstance(error) && !StructuredOutputError.isInstance(error)) {
        throw error
      }
      return {
        kind: 'result',
        part: finish({ error: error.message }, true, execution.clock.now() - startedAt),
      }
    }
  }

  let ran = false
  const recorded = await execution.durable<RecordedToolCall>(
    `tool:${settings.unitKey}`,
    async () => {
      ran = true
      const startedAt = execution.clock.now()
      const context: ToolContext = {
        agentId: settings.agentId,
        toolName,
        toolCallId,
        signal: execution.signal,
        idempotencyKey: `${execution.idempotencyKey}:${execution.prefix}tool:${settings.unitKey}`,
        logger: execution.logger.child({ agentId: settings.agentId, toolName, toolCallId }),
        approval,
        messages: settings.messages,
        secrets: execution.secrets,
      }
      let output: unknown
      try {
        output = await tool.execute(input, context)
      } catch (error) {
        const mode = typeof tool.onError === 'function' ? tool.onError(error) : tool.onError
        if (execution.signal.aborted || NonRetryableError.isInstance(error) || mode === 'throw') {
          throw error
        }
        return {
          output: { error: error instanceof Error ? error.message : String(error) },
          isError: true,
          durationMs: execution.clock.now() - startedAt,
        }
      }
      if (tool.output !== undefined) {
        const checked = tool.output.safeParse(output)
        if (!checked.success) {
          throw namedValidationError(
            `Tool "${toolName}" of agent "${settings.agentId}"`,
            'output',
            toValidationIssues(checked.error.issues, output),
          )
        }
        output = checked.data
      }
      return { output, isError: false, durationMs: execution.clock.now() - startedAt }
    },
  )
  return {
    kind: 'result',
    part: finish(recorded.output, recorded.isError, recorded.durationMs, !ran),
  }
}
