import { ValidationError, type ValidationIssue } from '@tessera/core'

/**
 * A {@link ValidationError} whose message names what the value belongs to (`Agent "triage"
 * received invalid input at …`) instead of core's generic `Value …`.
 *
 * @example
 * ```ts
 * const parsed = schema.safeParse(input)
 * if (!parsed.success) {
 *   throw namedValidationError(`Agent "${id}"`, 'input', toValidationIssues(parsed.error.issues, input))
 * }
 * ```
 */
export function namedValidationError(
  subject: string,
  target: 'input' | 'output' | 'approval',
  issues: ValidationIssue[],
): ValidationError {
  const error = new ValidationError({ target, issues })
  error.message = error.message.replace(/^Value/, subject)
  return error
}
