import { TesseraError } from '@tessera/core'

/**
 * A rule of a decision agent threw while it was checked (its `when` or `reason` function). The
 * message names the agent and the rule; `cause` is what the rule threw. Rules are code: fix the
 * rule, the model is not asked in its place.
 *
 * @example
 * ```ts
 * const error = await agent.generate(claim).catch((e) => e)
 * if (DecisionRuleError.isInstance(error)) console.log(error.agentId, error.ruleId)
 * ```
 */
export class DecisionRuleError extends TesseraError {
  readonly agentId: string
  readonly ruleId: string

  constructor(options: { agentId: string; ruleId: string; cause: unknown }) {
    const what = options.cause instanceof Error ? options.cause.message : String(options.cause)
    super(
      'decision_rule_failed',
      `Decision agent "${options.agentId}": rule "${options.ruleId}" threw while it was checked (${what}); a rule's when() and reason() must return for every valid input`,
      { cause: options.cause, retryable: false },
    )
    this.name = 'DecisionRuleError'
    this.agentId = options.agentId
    this.ruleId = options.ruleId
  }

  /** True for a {@link DecisionRuleError}, even one from another copy of the package. */
  static override isInstance(value: unknown): value is DecisionRuleError {
    return TesseraError.isInstance(value) && value.code === 'decision_rule_failed'
  }

  override details() {
    return { agentId: this.agentId, ruleId: this.ruleId }
  }
}
