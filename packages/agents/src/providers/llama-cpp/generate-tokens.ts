import type {
  LlamaContextSequence,
  LlamaGrammar,
  LlamaGrammarEvaluationState,
  Token,
} from 'node-llama-cpp'

/** Sampling settings of one generation, in node-llama-cpp's terms. */
export interface TokenSampling {
  temperature: number
  topP?: number
  topK?: number
  minP?: number
  seed?: number
}

/** What {@link generateTokens} needs for one answer. */
export interface TokenGenerationOptions {
  sequence: LlamaContextSequence
  /** The whole prompt, already tokenized. */
  tokens: Token[]
  /** The most tokens to sample (already capped to what the context has left). */
  maxTokens: number
  sampling: TokenSampling
  /** A grammar the sampled tokens must follow, with node-llama-cpp's state class for it. */
  grammar?: {
    grammar: LlamaGrammar
    State: new (options: {
      model: LlamaContextSequence['model']
      grammar: LlamaGrammar
    }) => LlamaGrammarEvaluationState
  }
  /** Texts that end the answer; they are not part of it. */
  stopSequences: readonly string[]
  /** Tokens that end the answer besides the model's end-of-generation tokens. */
  stopTokens: ReadonlySet<Token>
  signal: AbortSignal
}

/** How a generation ended, and what it cost in tokens. */
export interface TokenGenerationResult {
  stopReason: 'stop' | 'length'
  /** Every sampled token, the end-of-generation token included. */
  outputTokens: number
  /** Prompt tokens whose evaluation was reused from the sequence's previous state. */
  cachedInputTokens: number
}

/** How many earlier tokens the detokenizer sees, to place spaces as the continuation needs. */
const detokenizerContext = 8
/** How many tokens of one character (a UTF-8 sequence split across tokens) we wait for. */
const maxPartialCharacterTokens = 4

/**
 * Samples an answer token by token on one context sequence and yields its text as it comes, with
 * stop sequences cut out: text that could be the start of a stop sequence is held back until the
 * next tokens show it is not. The prompt prefix that the sequence already holds (from the
 * previous call) is not evaluated again. The signal is checked after every token: an aborted
 * generation throws the signal's reason.
 *
 * @example
 * ```ts
 * const generation = generateTokens({ sequence, tokens, maxTokens: 64, sampling: { temperature: 0 },
 *   stopSequences: ['\nUser:'], stopTokens: new Set(), signal })
 * for (let step = await generation.next(); !step.done; step = await generation.next()) write(step.value)
 * ```
 */
export async function* generateTokens(
  options: TokenGenerationOptions,
): AsyncGenerator<string, TokenGenerationResult, void> {
  const { sequence, tokens, signal, stopSequences } = options
  const model = sequence.model
  signal.throwIfAborted()
  // Keep the common prefix of the sequence's state, and evaluate at least the last prompt token
  // (its logits give the first answer token).
  const prefix = tokens.slice(0, -1)
  await sequence.adaptStateToTokens(prefix, false)
  const cachedInputTokens = sequence.nextTokenIndex
  signal.throwIfAborted()
  // The last prompt token is always evaluated on its own, so that its logits are computed the
  // same way whether the prefix was cached or not: greedy answers repeat exactly.
  if (cachedInputTokens < prefix.length) {
    await sequence.evaluateWithoutGeneratingNewTokens(prefix.slice(cachedInputTokens))
    signal.throwIfAborted()
  }

  const grammarEvaluationState = options.grammar
    ? new options.grammar.State({ model, grammar: options.grammar.grammar })
    : undefined
  const iterator = sequence.evaluate(tokens.slice(-1), {
    temperature: options.sampling.temperature,
    ...(options.sampling.topP === undefined ? {} : { topP: options.sampling.topP }),
    ...(options.sampling.topK === undefined ? {} : { topK: options.sampling.topK }),
    ...(options.sampling.minP === undefined ? {} : { minP: options.sampling.minP }),
    ...(options.sampling.seed === undefined ? {} : { seed: options.sampling.seed }),
    ...(grammarEvaluationState ? { grammarEvaluationState } : {}),
    yieldEogToken: true,
  })

  let outputTokens = 0
  let stopReason: TokenGenerationResult['stopReason'] = 'stop'
  let text = ''
  let emitted = 0
  let pending: Token[] = []
  let previous: Token[] = tokens.slice(-detokenizerContext)
  let stopped = false

  for await (const token of iterator) {
    outputTokens++
    if (signal.aborted) throw signal.reason
    if (model.isEogToken(token) || options.stopTokens.has(token)) break
    pending.push(token)
    const piece = model.detokenize(pending, false, previous)
    const partialCharacter = piece.endsWith('\uFFFD') && pending.length < maxPartialCharacterTokens
    if (!partialCharacter) {
      text += piece
      previous = [...previous, ...pending].slice(-detokenizerContext)
      pending = []
      const stopAt = firstStop(text, emitted, stopSequences)
      if (stopAt !== undefined) {
        if (stopAt > emitted) yield text.slice(emitted, stopAt)
        emitted = stopAt
        stopped = true
        break
      }
      const safeEnd = text.length - heldBackLength(text, emitted, stopSequences)
      if (safeEnd > emitted) {
        yield text.slice(emitted, safeEnd)
        emitted = safeEnd
      }
    }
    if (outputTokens >= options.maxTokens) {
      stopReason = 'length'
      break
    }
  }
  if (!stopped) {
    // What was held back was not a stop sequence after all; a cut-off character is what it is.
    if (pending.length > 0) text += model.detokenize(pending, false, previous)
    if (text.length > emitted) yield text.slice(emitted)
  }
  return { stopReason, outputTokens, cachedInputTokens }
}

/** Where the earliest stop sequence starts in the text not yet emitted. */
function firstStop(
  text: string,
  from: number,
  stopSequences: readonly string[],
): number | undefined {
  let earliest: number | undefined
  for (const stop of stopSequences) {
    const index = text.indexOf(stop, from)
    if (index >= 0 && (earliest === undefined || index < earliest)) earliest = index
  }
  return earliest
}

/** The length of the longest end of the text that some stop sequence starts with. */
function heldBackLength(text: string, from: number, stopSequences: readonly string[]): number {
  let longest = 0
  for (const stop of stopSequences) {
    const limit = Math.min(stop.length - 1, text.length - from)
    for (let length = limit; length > longest; length--) {
      if (text.endsWith(stop.slice(0, length))) {
        longest = length
        break
      }
    }
  }
  return longest
}
