import type { z } from 'zod'
import { ValidationError, type ValidationIssue } from '../errors/validation-error'

/** Where a validated value belongs, for the error message. */
export interface ValidationSite {
  workflowId?: string
  stepId?: string
  target: 'input' | 'output' | 'event' | 'approval'
}

/**
 * Parses `value` with `schema`; on failure throws a {@link ValidationError} naming the site,
 * each path and the expected type.
 */
export function validateWith<T>(
  schema: z.ZodType<T, any>,
  value: unknown,
  site: ValidationSite,
): T {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  throw new ValidationError({ ...site, issues: toValidationIssues(result.error.issues, value) })
}

/** {@link validateWith} for a step's input or output, without allocating a site object. */
export function validateStepValue<T>(
  schema: z.ZodType<T, any>,
  value: unknown,
  workflowId: string,
  stepId: string,
  target: 'input' | 'output',
): T {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  throw new ValidationError({
    workflowId,
    stepId,
    target,
    issues: toValidationIssues(result.error.issues, value),
  })
}

/**
 * Converts zod issues into Tessera's issue shape: a dotted `path`, what the schema `expected`
 * (a type, `one of "a" | "b"`, a bound such as `at most 3 characters`, a format) and the type
 * of what was `received` instead, found in `root`, the value that was parsed. Only the type is
 * reported, never the value: values may hold personal data, and issues end up in logs.
 *
 * @example
 * ```ts
 * const value = { orderId: 7 }
 * const parsed = z.object({ orderId: z.string() }).safeParse(value)
 * if (!parsed.success) {
 *   toValidationIssues(parsed.error.issues, value)
 *   // [{ path: 'orderId', expected: 'string', received: 'number', message: 'Invalid input: …' }]
 * }
 * ```
 */
export function toValidationIssues(
  issues: readonly z.core.$ZodIssue[],
  root: unknown,
): ValidationIssue[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join('.')
    const received = describeReceived(valueAt(root, issue.path))
    switch (issue.code) {
      case 'invalid_type':
        return { path, expected: issue.expected, received, message: issue.message }
      case 'invalid_value':
        return {
          path,
          expected: `one of ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}`,
          received,
          message: issue.message,
        }
      case 'unrecognized_keys':
        return {
          path,
          expected: `no key ${issue.keys.map((k) => `"${k}"`).join(', ')}`,
          message: issue.message,
        }
      case 'too_big':
      case 'too_small':
        return { path, expected: describeBound(issue), received, message: issue.message }
      case 'invalid_format':
        return { path, expected: `${issue.format} format`, received, message: issue.message }
      case 'not_multiple_of':
        return {
          path,
          expected: `a multiple of ${String(issue.divisor)}`,
          received,
          message: issue.message,
        }
      default:
        // No `expected`: the message ("Invalid input", a refinement's own text) reads alone.
        return { path, received, message: issue.message }
    }
  })
}

/** `number <= 10`, `at least 3 characters`, `exactly 2 items`, … */
function describeBound(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall): string {
  const upper = issue.code === 'too_big'
  const limit = String(
    upper ? (issue as z.core.$ZodIssueTooBig).maximum : (issue as z.core.$ZodIssueTooSmall).minimum,
  )
  const unit =
    issue.origin === 'string'
      ? 'characters'
      : issue.origin === 'array' || issue.origin === 'set'
        ? 'items'
        : undefined
  if (unit === undefined)
    return `${issue.origin} ${upper ? '<' : '>'}${issue.inclusive ? '=' : ''} ${limit}`
  const bound = issue.exact
    ? 'exactly'
    : upper
      ? issue.inclusive
        ? 'at most'
        : 'fewer than'
      : issue.inclusive
        ? 'at least'
        : 'more than'
  return `${bound} ${limit} ${unit}`
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<PropertyKey, unknown>)[key]
  }
  return current
}

function describeReceived(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  // Only the type: values may hold personal data, and error messages end up in logs.
  return typeof value
}
