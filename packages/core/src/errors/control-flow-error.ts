import { TesseraError } from './tessera-error'

/**
 * A control node could not continue: no `branch` condition matched, a `loop` reached
 * `maxIterations`, `foreach` received something that is not an array, or an inline function
 * (`map`, a condition) threw.
 *
 * @example
 * ```ts
 * .loop(poll, { until: ({ output }) => output.done, maxIterations: 5 }) // 6th iteration → ControlFlowError
 * ```
 */
export class ControlFlowError extends TesseraError {
  readonly workflowId: string
  readonly nodeId: string
  readonly reason: 'no_branch_matched' | 'loop_limit' | 'not_an_array' | 'function_threw'
  constructor(options: {
    workflowId: string
    nodeId: string
    reason: ControlFlowError['reason']
    message: string
    cause?: unknown
  }) {
    super(
      'control_flow',
      `Node "${options.nodeId}" in workflow "${options.workflowId}": ${options.message}`,
      {
        cause: options.cause,
      },
    )
    this.name = 'ControlFlowError'
    this.workflowId = options.workflowId
    this.nodeId = options.nodeId
    this.reason = options.reason
  }
  static override isInstance(value: unknown): value is ControlFlowError {
    return TesseraError.isInstance(value) && value.code === 'control_flow'
  }
  override details() {
    return { workflowId: this.workflowId, nodeId: this.nodeId, reason: this.reason }
  }
}
