import type { LlamaContext, LlamaContextSequence, Token } from 'node-llama-cpp'

/** The context sequences of one context, lent to one call at a time. */
export interface SequencePool {
  /**
   * Waits for a free sequence and takes it: the one whose state shares the longest prefix with
   * `tokens`, so that the least is evaluated again. An abort while waiting rejects with the
   * signal's reason.
   */
  acquire(signal: AbortSignal, tokens: readonly Token[]): Promise<LlamaContextSequence>
  release(sequence: LlamaContextSequence): void
}

/**
 * Lends the sequences of a context to calls: each call generates on a sequence of its own, and
 * calls beyond the number of sequences wait, first come first served.
 *
 * @example
 * ```ts
 * const pool = createSequencePool(context)
 * const sequence = await pool.acquire(signal, tokens)
 * try { … } finally { pool.release(sequence) }
 * ```
 */
export function createSequencePool(context: LlamaContext): SequencePool {
  const free: LlamaContextSequence[] = []
  while (context.sequencesLeft > 0) free.push(context.getSequence())
  const waiting: { tokens: readonly Token[]; take: (sequence: LlamaContextSequence) => void }[] = []

  const best = (tokens: readonly Token[]): LlamaContextSequence => {
    let chosen = 0
    let longest = -1
    free.forEach((sequence, index) => {
      const shared = sequence.compareContextTokens(tokens as Token[]).firstDifferentIndex
      if (shared > longest) {
        longest = shared
        chosen = index
      }
    })
    return free.splice(chosen, 1)[0] as LlamaContextSequence
  }

  return {
    acquire(signal, tokens) {
      signal.throwIfAborted()
      if (free.length > 0 && waiting.length === 0) return Promise.resolve(best(tokens))
      return new Promise((resolve, reject) => {
        const waiter = {
          tokens,
          take: (sequence: LlamaContextSequence) => {
            signal.removeEventListener('abort', onAbort)
            resolve(sequence)
          },
        }
        const onAbort = () => {
          waiting.splice(waiting.indexOf(waiter), 1)
          reject(signal.reason)
        }
        signal.addEventListener('abort', onAbort, { once: true })
        waiting.push(waiter)
      })
    },
    release(sequence) {
      free.push(sequence)
      const next = waiting.shift()
      if (next) next.take(best(next.tokens))
    },
  }
}
