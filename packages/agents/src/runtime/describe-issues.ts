import type { ValidationIssue } from '@tessera/core'
import type { z } from 'zod'

/**
 * Tessera's issue shape from a zod error: a dotted path, what was expected (when zod says), and
 * zod's message. Used for tool inputs and structured answers, which go back to the model.
 *
 * @example
 * ```ts
 * const parsed = schema.safeParse(value)
 * if (!parsed.success) issuesOf(parsed.error) // [{ path: 'orderId', expected: 'string', message: '…' }]
 * ```
 */
export function issuesOf(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.')
    const expected =
      issue.code === 'invalid_type'
        ? String(issue.expected)
        : issue.code === 'invalid_value'
          ? `one of ${issue.values.map((value) => JSON.stringify(value)).join(' | ')}`
          : undefined
    return expected === undefined
      ? { path, message: issue.message }
      : { path, expected, message: issue.message }
  })
}

/** Issues as short lines for a model or an error message: `at "path": message`. */
export function describeIssues(issues: readonly ValidationIssue[], limit = 10): string {
  const lines = issues
    .slice(0, limit)
    .map((issue) => `- at ${issue.path ? `"${issue.path}"` : 'the root'}: ${issue.message}`)
  if (issues.length > limit) lines.push(`- (and ${issues.length - limit} more)`)
  return lines.join('\n')
}
