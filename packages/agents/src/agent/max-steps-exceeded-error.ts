import { TesseraError } from '@tessera/core'

/**
 * An agent used up its `maxSteps` model calls and the model still asked for tools, or a chain of
 * handoffs went deeper than the limit. The message names the agent, the limit and the tools the
 * model last asked for.
 *
 * @example
 * ```ts
 * const error = await agent.generate('Plan my week').catch((e) => e)
 * if (MaxStepsExceededError.isInstance(error)) console.log(error.agentId, error.maxSteps)
 * ```
 */
export class MaxStepsExceededError extends TesseraError {
  readonly agentId: string
  /** The limit that was reached. */
  readonly maxSteps: number
  /** What ran out: model calls of one agent, or handoffs between agents. */
  readonly limit: 'steps' | 'handoffs'
  /** The tools the model asked for in its last answer. */
  readonly pendingTools: readonly string[]

  constructor(options: {
    agentId: string
    maxSteps: number
    limit?: 'steps' | 'handoffs'
    pendingTools?: readonly string[]
  }) {
    const limit = options.limit ?? 'steps'
    const pendingTools = options.pendingTools ?? []
    super(
      'max_steps_exceeded',
      limit === 'steps'
        ? `Agent "${options.agentId}" reached maxSteps (${options.maxSteps}) and the model still asked for ${pendingTools.length === 0 ? 'tools' : pendingTools.map((name) => `"${name}"`).join(', ')}; raise maxSteps or give the agent clearer instructions`
        : `Agent "${options.agentId}" would hand off beyond the limit of ${options.maxSteps} handoffs in one run; check the handoff tools for a cycle`,
      { retryable: false },
    )
    this.name = 'MaxStepsExceededError'
    this.agentId = options.agentId
    this.maxSteps = options.maxSteps
    this.limit = limit
    this.pendingTools = pendingTools
  }

  /** True for a {@link MaxStepsExceededError}, even one from another copy of the package. */
  static override isInstance(value: unknown): value is MaxStepsExceededError {
    return TesseraError.isInstance(value) && value.code === 'max_steps_exceeded'
  }

  override details() {
    return {
      agentId: this.agentId,
      maxSteps: this.maxSteps,
      limit: this.limit,
      pendingTools: [...this.pendingTools],
    }
  }
}
