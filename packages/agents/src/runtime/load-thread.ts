import type { ModelMessage, ThreadRecord } from '@tessera/core'
import { estimateTokens } from '../memory/estimate-tokens'
import type { AgentEmit } from './agent-emitter'
import type { AgentExecution } from './agent-execution'
import type { PriceTable } from '../pricing/create-price-table'
import type { ResolvedMemory } from './agent-definition'
import { callModel } from './call-model'
import { addUsage, type UsageTotal } from './usage-total'

/** What an agent remembers of a thread before its turn. */
export interface ThreadContext {
  summary: string | undefined
  history: ModelMessage[]
}

const roles = new Set(['system', 'user', 'assistant', 'tool'])

/**
 * Loads a thread as a durable unit (`memory:load`: a re-executed step sees the same history), and
 * when the estimated tokens of the summary, the messages and the new turn (`pending`) exceed the
 * budget, summarises the oldest whole turns with the summariser model (`memory:summary`) and
 * stores the summary (`memory:summarize`). The newest turns that fit in `keepRatio` of the budget
 * stay as they are.
 *
 * @example
 * ```ts
 * const { summary, history } = await loadThread({ memory, threadId, pending, execution, emit, agentId, path, total })
 * ```
 */
export async function loadThread(settings: {
  memory: ResolvedMemory
  priceTable: PriceTable | undefined
  threadId: string
  pending: readonly ModelMessage[]
  execution: AgentExecution
  emit: AgentEmit
  agentId: string
  path: readonly string[]
  streaming: boolean
  total: UsageTotal
}): Promise<ThreadContext> {
  const { memory, threadId, execution } = settings
  const thread = await execution.durable<ThreadRecord | null>(
    'memory:load',
    async () => (await memory.memory.getThread({ threadId })) ?? null,
  )
  if (thread === null) return { summary: undefined, history: [] }
  const records = thread.messages.filter(
    (record) =>
      typeof record.message === 'object' &&
      record.message !== null &&
      roles.has((record.message as ModelMessage).role),
  )
  const history = records.map((record) => record.message as ModelMessage)
  const stored = thread.summary?.content
  const summary =
    stored === undefined || stored === null
      ? undefined
      : typeof stored === 'string'
        ? stored
        : JSON.stringify(stored)
  const budget = memory.tokenBudget
  const summaryTokens = summary === undefined ? 0 : Math.ceil(summary.length / 4)
  const pendingTokens = estimateTokens(settings.pending)
  if (budget === undefined || summaryTokens + pendingTokens + estimateTokens(history) <= budget) {
    return { summary, history }
  }

  // Keep the newest whole turns (each starts with a user message) that fit in the kept share.
  const keepBudget = budget * memory.keepRatio - pendingTokens
  let cut = history.length
  let suffix = 0
  for (let index = history.length - 1; index >= 0; index--) {
    suffix += estimateTokens([history[index]!])
    if (suffix > keepBudget) break
    if (history[index]!.role === 'user') cut = index
  }
  if (cut === 0) return { summary, history }
  const throughSeq = records[cut - 1]!.seq

  const response = await callModel({
    model: memory.summarizer,
    request: {
      messages: [
        { role: 'system', content: summarizerInstructions },
        { role: 'user', content: summaryPrompt(summary, history.slice(0, cut)) },
      ],
    },
    execution,
    emit: settings.emit,
    agentId: settings.agentId,
    path: settings.path,
    callNumber: 0,
    unitName: 'memory:summary',
    purpose: 'summary',
    streaming: false,
    priceTable: settings.priceTable,
  })
  addUsage(settings.total, response.usage, response.costUsd)
  const content = response.content
    .map((part) => (part.type === 'text' ? part.text : ''))
    .join('')
    .trim()
  if (content === '') return { summary, history }
  const { status } = await execution.durable('memory:summarize', async () =>
    memory.memory.summarizeThread({
      threadId,
      summary: content,
      throughSeq,
      now: execution.clock.now(),
    }),
  )
  // Stale: another run summarised first; this turn goes on with what it loaded.
  if (status !== 'summarized') return { summary, history }
  return { summary: content, history: history.slice(cut) }
}

const summarizerInstructions =
  'You maintain the memory of an assistant. Merge the summary so far (if any) and the new part of ' +
  'the conversation into one concise summary. Keep facts about the user, names, numbers, ' +
  'decisions, commitments and open questions; drop greetings and repetition. Write it in the ' +
  "conversation's language, as plain prose. Reply with the summary only."

function summaryPrompt(summary: string | undefined, messages: readonly ModelMessage[]): string {
  const transcript = messages.map(describeMessage).join('\n')
  return (
    (summary === undefined ? '' : `Summary so far:\n${summary}\n\n`) +
    `Conversation to add:\n${transcript}`
  )
}

function describeMessage(message: ModelMessage): string {
  if (typeof message.content === 'string') return `${message.role}: ${message.content}`
  const parts = message.content.map((part) =>
    part.type === 'text'
      ? part.text
      : part.type === 'tool-call'
        ? `[called ${part.toolName} with ${JSON.stringify(part.input)}]`
        : `[${part.toolName} returned ${JSON.stringify(part.output)}]`,
  )
  return `${message.role}: ${parts.join(' ')}`
}
