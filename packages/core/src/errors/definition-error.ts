import { TesseraError } from './tessera-error'

/** One problem in a workflow definition, with a JSON path into it. */
export interface DefinitionIssue {
  path: string
  message: string
}

/**
 * A workflow definition (JSON) is malformed or refers to things the engine does not have.
 * Every problem is listed with a JSON path.
 *
 * @example
 * ```ts
 * engine.register(definitionFromDatabase) // throws DefinitionError: 2 problems: root.children[1].ref: …
 * ```
 */
export class DefinitionError extends TesseraError {
  readonly workflowId: string | undefined
  readonly issues: DefinitionIssue[]
  constructor(options: { workflowId?: string; issues: DefinitionIssue[] }) {
    const head = options.workflowId ? `Workflow "${options.workflowId}"` : 'Workflow definition'
    const list = options.issues
      .slice(0, 5)
      .map((issue) => `${issue.path || '(root)'}: ${issue.message}`)
      .join('; ')
    super(
      'invalid_definition',
      `${head} is invalid (${options.issues.length} problem${options.issues.length === 1 ? '' : 's'}): ${list}`,
    )
    this.name = 'DefinitionError'
    this.workflowId = options.workflowId
    this.issues = options.issues
  }
  static override isInstance(value: unknown): value is DefinitionError {
    return TesseraError.isInstance(value) && value.code === 'invalid_definition'
  }
  override details() {
    return { workflowId: this.workflowId, issues: this.issues }
  }
}
