import type { ValidationIssue } from '@tessera/core'

/**
 * Issues as short lines for a model or an error message: `- at "path": message`, at most
 * `limit` of them.
 *
 * @example
 * ```ts
 * const parsed = schema.safeParse(value)
 * if (!parsed.success) describeIssues(toValidationIssues(parsed.error.issues, value))
 * // '- at "orderId": Invalid input: expected string, received number'
 * ```
 */
export function describeIssues(issues: readonly ValidationIssue[], limit = 10): string {
  const lines = issues
    .slice(0, limit)
    .map((issue) => `- at ${issue.path ? `"${issue.path}"` : 'the root'}: ${issue.message}`)
  if (issues.length > limit) lines.push(`- (and ${issues.length - limit} more)`)
  return lines.join('\n')
}
