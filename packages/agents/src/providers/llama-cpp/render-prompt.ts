import type { ChatHistoryItem, ChatWrapper, LlamaModel, Token } from 'node-llama-cpp'
import type { Conversation } from './render-conversation'

/** A prompt ready to evaluate, with what ends its answer. */
export interface RenderedPrompt {
  tokens: Token[]
  /** Texts that end the answer (the template's turn markers). */
  stopSequences: string[]
  /** Single tokens that end the answer besides the model's end-of-generation tokens. */
  stopTokens: Set<Token>
}

/**
 * The turn markers of the plain template, which Tessera uses for models without a chat template:
 *
 * ```text
 * System: {system text}
 *
 * User: {user text}
 *
 * Assistant: {assistant text}
 *
 * User: {user text}
 *
 * Assistant:
 * ```
 *
 * The model's beginning-of-sequence token comes first when its tokenizer wants one; the answer
 * ends at the model's end-of-generation token or where it starts a new `User:` or `System:` line.
 */
export const plainTemplateStopSequences: readonly string[] = ['\nUser:', '\nSystem:']

/**
 * Renders a conversation into prompt tokens: with a node-llama-cpp chat wrapper (the model's own
 * chat template, or one the caller chose) or, when `chatWrapper` is undefined, with the plain
 * template described at {@link plainTemplateStopSequences}. The prompt ends where the assistant's
 * answer starts; when the conversation ends with an assistant turn, the answer continues it.
 *
 * @example
 * ```ts
 * const prompt = renderPrompt(model, undefined, { system: undefined, turns: [{ role: 'user', text: 'Hi' }] })
 * model.detokenize(prompt.tokens) // 'User: Hi\n\nAssistant:'
 * ```
 */
export function renderPrompt(
  model: LlamaModel,
  chatWrapper: ChatWrapper | undefined,
  conversation: Conversation,
): RenderedPrompt {
  return chatWrapper
    ? renderWithChatWrapper(model, chatWrapper, conversation)
    : renderPlain(model, conversation)
}

function renderPlain(model: LlamaModel, conversation: Conversation): RenderedPrompt {
  const blocks: string[] = []
  if (conversation.system !== undefined) blocks.push(`System: ${conversation.system}`)
  for (const turn of conversation.turns) {
    blocks.push(`${turn.role === 'user' ? 'User' : 'Assistant'}: ${turn.text}`)
  }
  if (conversation.turns.at(-1)?.role !== 'assistant') blocks.push('Assistant:')
  const text = blocks.join('\n\n')
  const bos = model.tokens.bos
  const tokens = model.tokenize(text, false)
  return {
    tokens: bos !== null && model.tokens.shouldPrependBosToken ? [bos, ...tokens] : tokens,
    stopSequences: [...plainTemplateStopSequences],
    stopTokens: new Set(),
  }
}

function renderWithChatWrapper(
  model: LlamaModel,
  chatWrapper: ChatWrapper,
  conversation: Conversation,
): RenderedPrompt {
  const history: ChatHistoryItem[] = []
  if (conversation.system !== undefined) history.push({ type: 'system', text: conversation.system })
  for (const turn of conversation.turns) {
    history.push(
      turn.role === 'user'
        ? { type: 'user', text: turn.text }
        : { type: 'model', response: [turn.text] },
    )
  }
  if (history.at(-1)?.type !== 'model') history.push({ type: 'model', response: [] })
  const state = chatWrapper.generateContextState({ chatHistory: history })
  const stopSequences: string[] = []
  const stopTokens = new Set<Token>()
  for (const trigger of state.stopGenerationTriggers) {
    const tokens = trigger.tokenize(model.tokenizer)
    if (tokens.length === 1) {
      stopTokens.add(tokens[0] as Token)
    } else {
      // A longer trigger is matched on the answer's text; one with a builtin special token
      // (BOS, EOS, …) has no text, and only ever comes as a single token.
      const values = trigger.values.map((value) =>
        typeof value === 'string' ? value : value.toJSON(),
      )
      if (values.some((value) => typeof value !== 'string' && value.type === 'specialToken'))
        continue
      const text = values.map((value) => (typeof value === 'string' ? value : value.value)).join('')
      if (text !== '') stopSequences.push(text)
    }
  }
  return { tokens: state.contextText.tokenize(model.tokenizer), stopSequences, stopTokens }
}
