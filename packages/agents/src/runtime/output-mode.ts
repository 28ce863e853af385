import {
  toValidationIssues,
  toJsonSchema,
  type ModelRequest,
  type ValidationIssue,
} from '@tessera/core'
import type { z } from 'zod'
import { describeIssues } from './describe-issues'

/**
 * How an agent answers: `text` (its output schema is a string) or `json` (any other schema:
 * structured output through the request's `responseFormat`).
 */
export type OutputMode =
  { kind: 'text' } | { kind: 'json'; responseFormat: NonNullable<ModelRequest['responseFormat']> }

/**
 * The output mode for an agent's output schema: a schema whose JSON Schema is a string is text;
 * anything else is structured output, named after the agent.
 *
 * @example
 * ```ts
 * outputModeOf(z.object({ label: z.string() }), 'triage').kind // 'json'
 * ```
 */
export function outputModeOf(schema: z.ZodType, name: string): OutputMode {
  const { $schema: _dialect, ...jsonSchema } = toJsonSchema(schema, 'input')
  if (jsonSchema.type === 'string') return { kind: 'text' }
  return {
    kind: 'json',
    responseFormat: {
      type: 'json',
      schema: jsonSchema,
      name: name.replace(/[^A-Za-z0-9_-]/g, '_'),
    },
  }
}

/** The parsed answer, or what was wrong with it. */
export type ParsedAnswer = { ok: true; value: unknown } | { ok: false; issues: ValidationIssue[] }

/**
 * Parses the model's final text: JSON for structured output (a surrounding Markdown code fence
 * is tolerated), the text itself otherwise; then validates it with the output schema.
 *
 * @example
 * ```ts
 * parseAnswer(mode, schema, '{"label":"billing"}') // { ok: true, value: { label: 'billing' } }
 * ```
 */
export function parseAnswer(mode: OutputMode, schema: z.ZodType, text: string): ParsedAnswer {
  let value: unknown = text
  if (mode.kind === 'json') {
    const fenced = /^\s*```(?:json)?\s*\n?([\s\S]*?)\n?```\s*$/.exec(text)
    const body = (fenced ? fenced[1]! : text).trim()
    try {
      value = JSON.parse(body)
    } catch (error) {
      return {
        ok: false,
        issues: [
          {
            path: '',
            expected: 'JSON',
            message: `The answer is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
          },
        ],
      }
    }
  }
  const parsed = schema.safeParse(value)
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, issues: toValidationIssues(parsed.error.issues, value) }
}

/**
 * The message that asks the model to repair an answer: what was wrong, and what to send.
 *
 * @example
 * ```ts
 * repairPrompt(mode, [{ path: 'label', message: 'Invalid option' }])
 * ```
 */
export function repairPrompt(mode: OutputMode, issues: readonly ValidationIssue[]): string {
  const what =
    mode.kind === 'json'
      ? 'Reply again with only the corrected JSON value, matching the required schema exactly.'
      : 'Reply again with a corrected answer.'
  return `Your answer did not match the required format:\n${describeIssues(issues)}\n${what}`
}
