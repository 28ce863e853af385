import { TesseraError } from '@tessera/core'

/**
 * A tool that needs human approval was called outside a workflow, and `generate()` was given no
 * `approve` function to ask for it. Inside a workflow (`agentStep`) the run suspends instead.
 *
 * @example
 * ```ts
 * const result = await agent.generate('Refund order 7', {
 *   approve: async (request) => ({ approved: await askOnSlack(request), at: Date.now(), data: undefined }),
 * })
 * ```
 */
export class ToolApprovalRequiredError extends TesseraError {
  readonly agentId: string
  readonly toolName: string
  readonly toolCallId: string
  /** The approval's id, as it would be named inside a workflow. */
  readonly approvalId: string

  constructor(options: {
    agentId: string
    toolName: string
    toolCallId: string
    approvalId: string
  }) {
    super(
      'tool_approval_required',
      `Agent "${options.agentId}" called tool "${options.toolName}" (call ${options.toolCallId}), which needs approval, but no approval mechanism was given: pass generate(input, { approve: async (request) => decision }) or run the agent inside a workflow with agentStep()`,
      { retryable: false },
    )
    this.name = 'ToolApprovalRequiredError'
    this.agentId = options.agentId
    this.toolName = options.toolName
    this.toolCallId = options.toolCallId
    this.approvalId = options.approvalId
  }

  /** True for a {@link ToolApprovalRequiredError}, even one from another copy of the package. */
  static override isInstance(value: unknown): value is ToolApprovalRequiredError {
    return TesseraError.isInstance(value) && value.code === 'tool_approval_required'
  }

  override details() {
    return {
      agentId: this.agentId,
      toolName: this.toolName,
      toolCallId: this.toolCallId,
      approvalId: this.approvalId,
    }
  }
}
