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
 * node-llama-cpp's number rules allow integers of 16 digits and exponents of 16 digits, so a
 * model may write an "integer" beyond 2^53 (`9999999999999999`, `1e20`) or a number that parses
 * to Infinity (`1e400`), which a schema's own check (zod's `.int()`, finite numbers) then
 * refuses: a forced tool call could fail its own input schema. The rules are narrowed to what
 * parses to a safe integer (at most 15 digits, no exponent) and a finite number (exponents of
 * at most 2 digits).
 */
export const numberRules: readonly (readonly [RegExp, string])[] = [
  [/^integer-number-rule ::= .*$/m, 'integer-number-rule ::= "-"? ("0" | [1-9] [0-9]{0,14})'],
  [
    /^fractional-number-rule ::= .*$/m,
    'fractional-number-rule ::= "-"? ("0" | [1-9] [0-9]{0,15}) ("." [0-9]{1,16})? ([eE] [-+]? [0-9]{1,2})?',
  ],
]

/** @internal A JSON grammar's text with {@link numberRules} in place of node-llama-cpp's. */
export function narrowNumbers(grammar: string): string {
  let narrowed = grammar
  for (const [rule, replacement] of numberRules) narrowed = narrowed.replace(rule, replacement)
  return narrowed
}

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
      const text = narrowNumbers(json.grammar)
      const grammar =
        plan.mode === 'tool-or-text'
          ? await llama.createGrammar({
              grammar: `${text}\n${textOrToolRules}\n`,
              rootRuleName: 'tessera-answer',
            })
          : text === json.grammar
            ? json
            : await llama.createGrammar({ grammar: text })
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
