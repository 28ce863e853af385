import { InvalidArgumentError } from '@tessera/core'
import { DecisionRuleError } from './decision-rule-error'

/**
 * A deterministic rule of a decision agent: when `when(input)` holds, the decision is `decide`,
 * for `reason`, and no model is asked. Rules are checked in order; the first that holds wins.
 */
export interface DecisionRule<TInput, TDecision extends string> {
  /** Names the rule in the result (`ruleId`) and in errors. */
  id: string
  when: (input: TInput) => boolean
  decide: TDecision
  /** Why, in words a reviewer reads: a string, or a function of the input. */
  reason: string | ((input: TInput) => string)
}

/** The rule that decided, and its reason for this input. */
export interface RuleMatch<TDecision extends string> {
  ruleId: string
  decision: TDecision
  reason: string
}

/**
 * Checks rules in order and returns the first that holds, or undefined. A rule that throws (or
 * whose reason is not a string) fails with {@link DecisionRuleError}.
 *
 * @example
 * ```ts
 * firstMatchingRule([{ id: 'small', when: (claim) => claim.amount < 50, decide: 'approve', reason: 'Under 50' }], { amount: 20 }, 'claims')
 * // { ruleId: 'small', decision: 'approve', reason: 'Under 50' }
 * ```
 */
export function firstMatchingRule<TInput, TDecision extends string>(
  rules: readonly DecisionRule<TInput, TDecision>[],
  input: TInput,
  agentId: string,
): RuleMatch<TDecision> | undefined {
  for (const rule of rules) {
    let holds: boolean
    let reason: string
    try {
      holds = rule.when(input) === true
      if (!holds) continue
      reason = typeof rule.reason === 'function' ? rule.reason(input) : rule.reason
      if (typeof reason !== 'string') {
        throw new TypeError(`reason() returned ${typeof reason}, not a string`)
      }
    } catch (error) {
      throw new DecisionRuleError({ agentId, ruleId: rule.id, cause: error })
    }
    return { ruleId: rule.id, decision: rule.decide, reason }
  }
  return undefined
}

/**
 * Checks a decision agent's rules when it is created: a list of `{ id, when, decide, reason }`
 * with unique ids and decisions among `decisions`.
 *
 * @example
 * ```ts
 * checkDecisionRules(rules, ['approve', 'reject'], 'createDecisionAgent')
 * ```
 */
export function checkDecisionRules(rules: unknown, decisions: readonly string[], fn: string): void {
  if (!Array.isArray(rules)) {
    throw new InvalidArgumentError({
      fn,
      argument: 'rules',
      expected: 'a list of { id, when, decide, reason }',
      received: rules,
    })
  }
  const ids = new Set<string>()
  rules.forEach((rule: Partial<DecisionRule<unknown, string>>, index) => {
    const invalid = (field: string, expected: string, received: unknown) =>
      new InvalidArgumentError({ fn, argument: `rules[${index}]${field}`, expected, received })
    if (typeof rule !== 'object' || rule === null) {
      throw invalid('', 'an object { id, when, decide, reason }', rule)
    }
    if (typeof rule.id !== 'string' || rule.id === '' || ids.has(rule.id)) {
      throw invalid('.id', 'a non-empty id used by no other rule', rule.id)
    }
    ids.add(rule.id)
    if (typeof rule.when !== 'function')
      throw invalid('.when', 'a function (input) => boolean', rule.when)
    if (typeof rule.decide !== 'string' || !decisions.includes(rule.decide)) {
      throw invalid(
        '.decide',
        `one of ${decisions.map((name) => `"${name}"`).join(', ')}`,
        rule.decide,
      )
    }
    if (typeof rule.reason !== 'string' && typeof rule.reason !== 'function') {
      throw invalid('.reason', 'a string or a function (input) => string', rule.reason)
    }
  })
}
