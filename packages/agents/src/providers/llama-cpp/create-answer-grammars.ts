import { UnsupportedSchemaError } from '@tessera/core'
import type { Llama, LlamaGrammar } from 'node-llama-cpp'
import type { AnswerPlan } from './plan-answer'

/** A grammar for one answer, with the texts that end it. */
export interface AnswerGrammar {
  grammar: LlamaGrammar
  /** node-llama-cpp's JSON grammars end with blank lines that stop the generation. */
  stopSequences: string[]
}

/** Builds (and keeps, since building costs a compilation) the grammars of answer plans. */
export interface AnswerGrammars {
  /** The plan's grammar, or undefined for free text. */
  of(plan: AnswerPlan): Promise<AnswerGrammar | undefined>
}

/** The rules added to the tool-call grammar for `tool-or-text`: text may not open with `{`. */
const textOrToolRules = [
  'tessera-answer ::= [ \\t\\n]* root | tessera-text',
  'tessera-text ::= [ \\t\\n]* [^{ \\t\\n] [^\\x00]*',
].join('\n')

/**
 * Creates the grammars of answer plans with node-llama-cpp (`llama.createGrammarForJsonSchema`),
 * keeping the `size` most recently used ones: an agent sends the same tools and schema call after
 * call. `tool-or-text` composes the tool calls' JSON grammar with a free-text rule, so that the
 * model either writes text or a valid call. A schema node-llama-cpp rejects becomes an
 * {@link UnsupportedSchemaError}.
 *
 * @example
 * ```ts
 * const grammars = createAnswerGrammars(llama, 'llama-cpp')
 * const answer = await grammars.of(planAnswer(request, 'llama-cpp'))
 * ```
 */
export function createAnswerGrammars(llama: Llama, provider: string, size = 32): AnswerGrammars {
  const cache = new Map<string, Promise<AnswerGrammar>>()

  const build = async (plan: AnswerPlan): Promise<AnswerGrammar> => {
    try {
      const json = await llama.createGrammarForJsonSchema(plan.grammarSchema as never)
      const stopSequences = json.stopGenerationTriggers
        .map(triggerText)
        .filter((text) => text !== '')
      if (plan.mode !== 'tool-or-text') return { grammar: json, stopSequences }
      const grammar = await llama.createGrammar({
        grammar: `${json.grammar}\n${textOrToolRules}\n`,
        rootRuleName: 'tessera-answer',
      })
      return { grammar, stopSequences }
    } catch (error) {
      throw new UnsupportedSchemaError({
        provider,
        reason: `node-llama-cpp could not build a grammar for it: ${error instanceof Error ? error.message : String(error)}`,
        cause: error,
      })
    }
  }

  return {
    async of(plan) {
      if (plan.grammarSchema === undefined) return undefined
      const key = `${plan.mode}:${JSON.stringify(plan.grammarSchema)}`
      let grammar = cache.get(key)
      if (grammar) {
        cache.delete(key)
      } else {
        grammar = build(plan)
        grammar.catch(() => cache.delete(key))
      }
      cache.set(key, grammar)
      while (cache.size > size) cache.delete(cache.keys().next().value as string)
      return grammar
    },
  }
}

function triggerText(trigger: LlamaGrammar['stopGenerationTriggers'][number]): string {
  if (typeof trigger === 'string') return trigger
  const values: readonly unknown[] = Array.isArray(trigger)
    ? trigger
    : (trigger as { values: readonly unknown[] }).values
  return values.every((value) => typeof value === 'string') ? values.join('') : ''
}
