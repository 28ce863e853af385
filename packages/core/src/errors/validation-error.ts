import { TesseraError } from './tessera-error'

/** One problem found by schema validation. */
export interface ValidationIssue {
  /** Where in the value, as a dotted path (`lineItems.2.sku`); empty for the value itself. */
  path: string
  /** What the schema expected, e.g. `string` or `one of "a" | "b"`. */
  expected?: string
  /** What came instead, when known. */
  received?: string
  message: string
}

/**
 * A value failed its zod schema: a step's input or output, a workflow's input or output.
 * The message names the workflow, the step, the path and the expected type.
 *
 * @example
 * ```ts
 * const error = await run.result().catch((e) => e)
 * if (ValidationError.isInstance(error)) console.log(error.stepId, error.issues[0].path)
 * ```
 */
export class ValidationError extends TesseraError {
  readonly workflowId: string | undefined
  readonly stepId: string | undefined
  /** Which value failed: a step's or workflow's input or output, or a definition. */
  readonly target: 'input' | 'output' | 'definition' | 'event' | 'approval'
  readonly issues: ValidationIssue[]

  constructor(options: {
    workflowId?: string
    stepId?: string
    target: 'input' | 'output' | 'definition' | 'event' | 'approval'
    issues: ValidationIssue[]
  }) {
    super('validation_failed', formatValidationMessage(options))
    this.name = 'ValidationError'
    this.workflowId = options.workflowId
    this.stepId = options.stepId
    this.target = options.target
    this.issues = options.issues
  }

  static override isInstance(value: unknown): value is ValidationError {
    return TesseraError.isInstance(value) && value.code === 'validation_failed'
  }

  override details() {
    return {
      workflowId: this.workflowId,
      stepId: this.stepId,
      target: this.target,
      issues: this.issues,
    }
  }
}

function formatValidationMessage(options: {
  workflowId?: string
  stepId?: string
  target: string
  issues: ValidationIssue[]
}): string {
  const where = options.stepId
    ? `Step "${options.stepId}"${options.workflowId ? ` in workflow "${options.workflowId}"` : ''}`
    : options.workflowId
      ? `Workflow "${options.workflowId}"`
      : 'Value'
  const verb =
    options.target === 'output' ? 'returned invalid output' : `received invalid ${options.target}`
  const lines = options.issues.slice(0, 5).map((issue) => {
    const at = issue.path ? `at "${issue.path}"` : 'at the root'
    const expected = issue.expected ? `expected ${issue.expected}` : issue.message
    const received = issue.received ? `, received ${issue.received}` : ''
    return `${at}: ${expected}${received}`
  })
  const more = options.issues.length > 5 ? ` (and ${options.issues.length - 5} more)` : ''
  return `${where} ${verb} ${lines.join('; ')}${more}`
}
