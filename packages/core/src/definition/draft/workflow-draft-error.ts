import { DefinitionError, type DefinitionIssue } from '../../errors/definition-error'

/**
 * A model did not draft a valid workflow definition within its repairs. A
 * {@link DefinitionError} (same code, `invalid_definition`; `DefinitionError.isInstance` holds)
 * whose `issues` are the last answer's errors, with how many answers were tried, the last
 * answer's text, and the errors of every answer.
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (error instanceof WorkflowDraftError) console.log(error.attempts, error.issues, error.text)
 * }
 * ```
 */
export class WorkflowDraftError extends DefinitionError {
  /** How many answers the model gave. */
  readonly attempts: number
  /** The model's last answer, as text. */
  readonly text: string
  /** The errors of each answer, in order (the last one is `issues`). */
  readonly rejected: DefinitionIssue[][]
  constructor(options: {
    workflowId?: string
    model: string
    attempts: number
    text: string
    rejected: DefinitionIssue[][]
  }) {
    const issues = options.rejected[options.rejected.length - 1] ?? []
    super({ ...(options.workflowId ? { workflowId: options.workflowId } : {}), issues })
    this.name = 'WorkflowDraftError'
    this.message = `${options.model} did not draft a valid workflow in ${options.attempts} answer${options.attempts === 1 ? '' : 's'}: ${this.message}`
    this.attempts = options.attempts
    this.text = options.text
    this.rejected = options.rejected
  }
  override details() {
    return { ...super.details(), attempts: this.attempts }
  }
}
