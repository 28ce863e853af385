import {
  InvalidArgumentError,
  StructuredOutputError,
  ValidationError,
  type ContentPart,
  type ModelMessage,
  type ModelRequest,
  type ModelResponse,
  type TokenUsage,
  type ValidationIssue,
  toValidationIssues,
} from '@tessera/core'
import type { AgentEvent } from '../agent/agent-event'
import type { Agent } from '../agent/define-agent'
import { MaxStepsExceededError } from '../agent/max-steps-exceeded-error'
import type { AgentEmit } from './agent-emitter'
import type { AgentDefinition } from './agent-definition'
import { scopeExecution, type AgentExecution } from './agent-execution'
import { callModel } from './call-model'
import { generateNestedAgent } from './generate-nested-agent'
import { loadThread } from './load-thread'
import { parseAnswer, repairPrompt } from './output-mode'
import { runToolCall, type ToolResultPart } from './run-tool-call'
import { addUsage, emptyUsageTotal } from './usage-total'

/** How many handoffs one run may make, across all agents, before it fails. */
export const maxHandoffs = 8

/** One model call of an agent's run, and what came of it. */
export interface AgentStepRecord {
  agentId: string
  callNumber: number
  purpose: 'step' | 'repair'
  provider: string
  modelId: string
  text: string
  toolCalls: { toolCallId: string; toolName: string; input: unknown }[]
  toolResults: { toolCallId: string; toolName: string; output: unknown; isError: boolean }[]
  finishReason: ModelResponse['finishReason']
  usage: TokenUsage
  costUsd: number | undefined
}

/** What an agent's loop produced. */
export interface AgentLoopResult {
  output: unknown
  /** The messages this run added: the user's input, the answers, tool calls and results. */
  messages: ModelMessage[]
  usage: TokenUsage
  costUsd: number | undefined
  steps: AgentStepRecord[]
}

/** How a loop runs. */
export interface AgentLoopOptions {
  execution: AgentExecution
  emit: AgentEmit
  /**
   * The listener behind `emit`, without its logging: for nested agents that run through their
   * own `generate()` and log their events themselves.
   */
  onEvent: ((event: AgentEvent) => void) | undefined
  path: readonly string[]
  streaming: boolean
  threadId: string | undefined
  /** Shared by every agent of one run, to bound handoff chains. */
  handoffs: { count: number }
  /** A handoff: continue this conversation instead of starting from the input. */
  conversation?: { summary: string | undefined; messages: readonly ModelMessage[] }
}

/**
 * The tool-calling loop: sends the conversation to the model, runs the tools it calls, sends the
 * results back, until the model answers without tools (at most `maxSteps` calls); then parses
 * and validates the answer, asking the model to repair it up to `repairAttempts` times. Model
 * calls are durable units `model:<n>`, tool calls `tool:<key>` (see `AgentExecution`).
 *
 * @example
 * ```ts
 * const result = await runAgentLoop(definition, input, { execution, emit, onEvent, path: [definition.id], streaming: false, threadId: undefined, handoffs: { count: 0 } })
 * ```
 */
export async function runAgentLoop(
  definition: AgentDefinition,
  input: unknown,
  options: AgentLoopOptions,
): Promise<AgentLoopResult> {
  const { execution, emit, path } = options
  const agentId = definition.id
  const base = { agentId, path }
  const total = emptyUsageTotal()
  const steps: AgentStepRecord[] = []
  const system =
    typeof definition.instructions === 'function'
      ? definition.instructions(input)
      : definition.instructions

  // The conversation before this turn: a handoff's, or the thread's when the agent has memory.
  let summary = options.conversation?.summary
  let history: ModelMessage[] = [...(options.conversation?.messages ?? [])]
  const turn: ModelMessage[] =
    options.conversation === undefined ? [{ role: 'user', content: definition.prompt(input) }] : []
  const threadId =
    definition.memory === undefined || options.conversation !== undefined
      ? undefined
      : (options.threadId ?? definition.memory.threadId?.(input))
  if (definition.memory !== undefined && options.conversation === undefined) {
    if (typeof threadId !== 'string' || threadId === '') {
      throw new InvalidArgumentError({
        fn: `agent "${agentId}"`,
        argument: 'threadId',
        expected:
          'a thread id for the agent’s memory: pass generate(input, { threadId }) or set memory.threadId to a function of the input',
        received: threadId,
      })
    }
    const loaded = await loadThread({
      memory: definition.memory,
      priceTable: definition.priceTable,
      threadId,
      pending: [{ role: 'system', content: system }, ...turn],
      execution,
      emit,
      agentId,
      path,
      streaming: options.streaming,
      total,
    })
    summary = loaded.summary
    history = loaded.history
  }
  const systemMessage: ModelMessage = {
    role: 'system',
    content:
      summary === undefined
        ? system
        : `${system}\n\nSummary of the earlier conversation:\n${summary}`,
  }

  const usedKeys = new Set<string>()
  const unitKeyOf = (toolCallId: string): string => {
    const safe = toolCallId.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 80) || 'call'
    let key = safe
    for (let copy = 2; usedKeys.has(key); copy++) key = `${safe}.${copy}`
    usedKeys.add(key)
    return key
  }

  /**
   * Runs a sub-agent or a handoff target under `segment`: the loop of a `defineAgent` agent
   * directly (a handoff's continuing `conversation`), any other agent through its generate(),
   * so its own code runs (it cannot continue a conversation: it gets `agentInput`).
   */
  const runOtherAgent = (
    agent: Agent<any, any>,
    agentInput: unknown,
    segment: string,
    conversation: AgentLoopOptions['conversation'],
  ): Promise<AgentLoopResult> => {
    const loop = agent['~definition']
    if (loop === undefined) {
      return generateNestedAgent(agent, agentInput, {
        execution,
        segment,
        path,
        onEvent: options.onEvent,
      })
    }
    return runAgentLoop(loop, agentInput, {
      execution: scopeExecution(execution, segment),
      emit,
      onEvent: options.onEvent,
      path: [...path, agent.id],
      streaming: options.streaming,
      threadId: undefined,
      handoffs: options.handoffs,
      ...(conversation === undefined ? {} : { conversation }),
    })
  }

  let callNumber = 0
  let stepCount = 0
  let toolCallCount = 0
  let repairs = 0
  let purpose: 'step' | 'repair' = 'step'
  let output: unknown
  let handoff: { agent: Agent<any, any>; toolCallId: string } | undefined

  for (;;) {
    execution.signal.throwIfAborted()
    callNumber++
    if (purpose === 'step') stepCount++
    const toolChoice =
      typeof definition.toolChoice === 'function'
        ? definition.toolChoice({ step: stepCount, toolCalls: toolCallCount })
        : definition.toolChoice
    const request: Omit<ModelRequest, 'signal'> = {
      messages: [systemMessage, ...history, ...turn],
      ...(definition.modelTools.length > 0 ? { tools: [...definition.modelTools] } : {}),
      ...(toolChoice === undefined ? {} : { toolChoice }),
      ...(definition.outputMode.kind === 'json'
        ? { responseFormat: definition.outputMode.responseFormat }
        : {}),
      ...(definition.temperature === undefined ? {} : { temperature: definition.temperature }),
      ...(definition.maxOutputTokens === undefined
        ? {}
        : { maxOutputTokens: definition.maxOutputTokens }),
      ...(definition.providerOptions === undefined
        ? {}
        : { providerOptions: definition.providerOptions }),
    }
    const response = await callModel({
      model: definition.model,
      request,
      execution,
      emit,
      agentId,
      path,
      callNumber,
      purpose,
      streaming: options.streaming,
      priceTable: definition.priceTable,
    })
    addUsage(total, response.usage, response.costUsd)
    const content: ContentPart[] = Array.isArray(response.content) ? response.content : []
    const text = content.map((part) => (part.type === 'text' ? part.text : '')).join('')
    const toolCalls = content.filter(
      (part): part is Extract<ContentPart, { type: 'tool-call' }> => part.type === 'tool-call',
    )
    const step: AgentStepRecord = {
      agentId,
      callNumber,
      purpose,
      provider: response.provider ?? definition.model.provider,
      modelId: response.modelId ?? definition.model.modelId,
      text,
      toolCalls: toolCalls.map(({ toolCallId, toolName, input: sent }) => ({
        toolCallId,
        toolName,
        input: sent,
      })),
      toolResults: [],
      finishReason: response.finishReason,
      usage: response.usage,
      costUsd: response.costUsd,
    }
    steps.push(step)
    turn.push({ role: 'assistant', content: content.length > 0 ? content : text })
    toolCallCount += toolCalls.length

    if (toolCalls.length === 0) {
      const parsed = parseAnswer(definition.outputMode, definition.outputSchema, text)
      if (parsed.ok) {
        output = parsed.value
        break
      }
      if (repairs >= definition.repairAttempts) {
        throw new StructuredOutputError({
          provider: step.provider,
          modelId: step.modelId,
          text,
          issues: parsed.issues,
          attempts: repairs + 1,
        })
      }
      repairs++
      purpose = 'repair'
      turn.push({ role: 'user', content: repairPrompt(definition.outputMode, parsed.issues) })
      continue
    }
    if (stepCount >= definition.maxSteps) {
      throw new MaxStepsExceededError({
        agentId,
        maxSteps: definition.maxSteps,
        pendingTools: toolCalls.map((call) => call.toolName),
      })
    }
    purpose = 'step'

    const results: ToolResultPart[] = []
    for (const call of toolCalls) {
      if (handoff !== undefined) {
        results.push({
          type: 'tool-result',
          toolCallId: call.toolCallId,
          toolName: call.toolName,
          output: { error: `Not run: the conversation was handed off to "${handoff.agent.id}".` },
          isError: true,
        })
        continue
      }
      const outcome = await runToolCall({
        toolCallId: call.toolCallId,
        toolName: call.toolName,
        input: call.input,
        unitKey: unitKeyOf(call.toolCallId),
        entry: definition.tools.get(call.toolName),
        toolNames: [...definition.tools.keys()],
        messages: [systemMessage, ...history, ...turn],
        execution,
        emit,
        agentId,
        path,
        runSubAgent: async (agent, subInput, segment) => {
          const result = await runOtherAgent(agent, subInput, segment, undefined)
          return { output: result.output, usage: result.usage, costUsd: result.costUsd }
        },
      })
      if (outcome.kind === 'handoff') {
        handoff = { agent: outcome.agent, toolCallId: call.toolCallId }
      } else {
        addUsage(total, outcome.usage, outcome.costUsd)
      }
      results.push(outcome.part)
      step.toolResults.push({
        toolCallId: outcome.part.toolCallId,
        toolName: outcome.part.toolName,
        output: outcome.part.output,
        isError: outcome.part.isError === true,
      })
    }
    turn.push({ role: 'tool', content: results })

    if (handoff !== undefined) {
      options.handoffs.count++
      if (options.handoffs.count > maxHandoffs) {
        throw new MaxStepsExceededError({ agentId, maxSteps: maxHandoffs, limit: 'handoffs' })
      }
      emit({
        type: 'handoff-start',
        ...base,
        toolCallId: handoff.toolCallId,
        targetAgentId: handoff.agent.id,
      })
      const target = handoff.agent
      const result = await runOtherAgent(target, input, `handoff:${options.handoffs.count}:`, {
        summary,
        messages: [...history, ...turn],
      })
      addUsage(total, result.usage, result.costUsd)
      steps.push(...result.steps)
      turn.push(...result.messages)
      const checked = definition.outputSchema.safeParse(result.output)
      if (!checked.success) {
        throw outputMismatch(
          agentId,
          target.id,
          toValidationIssues(checked.error.issues, result.output),
        )
      }
      output = checked.data
      break
    }
  }

  if (definition.memory !== undefined && threadId !== undefined) {
    const memory = definition.memory.memory
    await execution.durable('memory:append', async () =>
      memory.appendThreadMessages({
        threadId,
        messages: turn,
        now: execution.clock.now(),
      }),
    )
  }
  emit({
    type: 'agent-end',
    ...base,
    output,
    usage: { ...total.usage },
    costUsd: total.costUsd,
    modelCalls: steps.length,
  })
  return { output, messages: turn, usage: total.usage, costUsd: total.costUsd, steps }
}

function outputMismatch(
  agentId: string,
  targetId: string,
  issues: ValidationIssue[],
): ValidationError {
  const error = new ValidationError({ target: 'output', issues })
  error.message = error.message.replace(
    /^Value returned invalid output/,
    `Agent "${targetId}" (a handoff from "${agentId}") returned output that "${agentId}"'s output schema rejects:`,
  )
  return error
}
