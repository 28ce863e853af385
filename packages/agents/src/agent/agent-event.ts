import type { ModelFallbackSwitch, ModelResponse, TokenUsage } from '@tessera/core'

/** Fields every agent event has. */
export interface AgentEventBase {
  /** The agent the event belongs to (a sub-agent's or handoff target's own id). */
  agentId: string
  /**
   * The chain of agents from the one that was called: `['support']` at the top,
   * `['support', 'billing']` inside a sub-agent or after a handoff.
   */
  path: readonly string[]
}

/** Why a model was called: a loop step, a repair of invalid output, or a memory summary. */
export type ModelCallPurpose = 'step' | 'repair' | 'summary'

/** A model call begins. */
export interface ModelCallStartEvent extends AgentEventBase {
  type: 'model-call-start'
  /** 1 for the agent's first model call in this run, 2 for the next, … */
  callNumber: number
  purpose: ModelCallPurpose
  provider: string
  modelId: string
  messageCount: number
}

/** A piece of streamed answer text (only when the model streams). */
export interface TextDeltaEvent extends AgentEventBase {
  type: 'text-delta'
  callNumber: number
  delta: string
}

/** A model call ended. */
export interface ModelCallEndEvent extends AgentEventBase {
  type: 'model-call-end'
  callNumber: number
  purpose: ModelCallPurpose
  /** The provider and model that answered (under a fallback chain, the one that succeeded). */
  provider: string
  modelId: string
  finishReason: ModelResponse['finishReason']
  usage: TokenUsage
  /** US dollars, when a pricing layer or the provider knows the price. */
  costUsd: number | undefined
  /** How long the call took when it ran (also for a replayed call: its original duration). */
  durationMs: number
  /** Models that failed before this one answered (fallback chains). */
  fallbacks: ModelFallbackSwitch[] | undefined
  /** True when the answer came from a response cache. */
  cached: boolean
  /** True when a workflow re-executed the step and the recorded answer was reused, unpaid. */
  replayed: boolean
}

/** The model called a tool (`input` as the model sent it; it is validated next). */
export interface ToolCallEvent extends AgentEventBase {
  type: 'tool-call'
  toolCallId: string
  toolName: string
  input: unknown
}

/** A tool call waits for a human decision. */
export interface ToolApprovalRequestEvent extends AgentEventBase {
  type: 'tool-approval-request'
  toolCallId: string
  toolName: string
  input: unknown
  /** Inside a workflow: `run.approve(approvalId, data)` or `run.reject(approvalId, reason)`. */
  approvalId: string
}

/** A tool approval was decided. */
export interface ToolApprovalEndEvent extends AgentEventBase {
  type: 'tool-approval-end'
  toolCallId: string
  toolName: string
  approvalId: string
  approved: boolean
  reason: string | undefined
  by: string | undefined
}

/** A tool call has its result (an error result when `isError`). */
export interface ToolResultEvent extends AgentEventBase {
  type: 'tool-result'
  toolCallId: string
  toolName: string
  output: unknown
  isError: boolean
  durationMs: number
  replayed: boolean
}

/** The conversation moves to another agent (a `handoff` tool was called). */
export interface HandoffStartEvent extends AgentEventBase {
  type: 'handoff-start'
  toolCallId: string
  /** The agent that takes over. */
  targetAgentId: string
}

/** The agent finished with its output. */
export interface AgentEndEvent extends AgentEventBase {
  type: 'agent-end'
  output: unknown
  /** Tokens of every model call of this agent, sub-agents and handoff targets included. */
  usage: TokenUsage
  costUsd: number | undefined
  /** Model calls made for the answer (summaries excluded). */
  modelCalls: number
}

/**
 * What an agent reports while it runs, through `onEvent` and `agent.stream()`. Names follow the
 * `noun-verb` convention.
 */
export type AgentEvent =
  | ModelCallStartEvent
  | TextDeltaEvent
  | ModelCallEndEvent
  | ToolCallEvent
  | ToolApprovalRequestEvent
  | ToolApprovalEndEvent
  | ToolResultEvent
  | HandoffStartEvent
  | AgentEndEvent

/** The names of the agent events. */
export type AgentEventType = AgentEvent['type']
