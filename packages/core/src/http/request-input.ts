import type { z } from 'zod'
import { toValidationIssues } from '../runtime/validate'
import { HttpProblem, type ProblemFieldError } from './problem'

/** Validates one part of a request; a 400 problem naming every field at fault otherwise. */
export function parse<T>(
  schema: z.ZodType<T> | undefined,
  value: unknown,
  where: 'params' | 'query' | 'body',
): T {
  if (!schema) return undefined as T
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const errors: ProblemFieldError[] = toValidationIssues(result.error.issues, value).map(
    (issue) => ({
      ...issue,
      path: issue.path === '' ? where : `${where}.${issue.path}`,
    }),
  )
  const first = errors[0]!
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''
  throw new HttpProblem(
    400,
    'invalid_argument',
    `Invalid ${where === 'params' ? 'path parameter' : where}: "${first.path}" ${first.expected ? `must be ${first.expected}` : first.message}${first.received ? `, received ${first.received}` : ''}${more}`,
    errors,
  )
}

/** The JSON body, `undefined` when empty; a 400 problem naming the parse error otherwise. */
export function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    const message = (error as Error).message
    throw new HttpProblem(400, 'invalid_json', `The request body is not valid JSON: ${message}`, [
      { path: 'body', message, expected: 'JSON' },
    ])
  }
}

/** Query parameters as an object; repeated ones become arrays. */
export function queryObject(search: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {}
  for (const key of new Set(search.keys())) {
    const values = search.getAll(key)
    query[key] = values.length === 1 ? values[0]! : values
  }
  return query
}
