import { z } from 'zod'
import { adfToText } from './jira-text'

/** An issue key (`OPS-42`) or a numeric issue id: nothing else reaches a URL path. */
export const issueKeySchema = z
  .string()
  .regex(/^(?:[A-Za-z][A-Za-z0-9_]*-\d+|\d+)$/, 'an issue key such as "OPS-42" or a numeric id')
  .describe('The issue key (such as OPS-42) or id')

/**
 * An issue as the Jira connector returns it: the common fields flattened, descriptions as
 * plain text, and every requested field as Jira sent it in `fields`.
 *
 * @example
 * ```ts
 * const issue = jiraIssueSchema.parse(output)
 * ```
 */
export const jiraIssueSchema = z.object({
  id: z.string(),
  key: z.string(),
  url: z.string().describe("The issue's browse URL"),
  summary: z.string().nullable(),
  description: z.string().nullable().describe('The description as plain text'),
  status: z.string().nullable(),
  issueType: z.string().nullable(),
  project: z.string().nullable().describe('The project key'),
  assignee: z.string().nullable().describe("The assignee's display name"),
  reporter: z.string().nullable(),
  labels: z.array(z.string()),
  created: z.string().nullable(),
  updated: z.string().nullable(),
  fields: z.record(z.string(), z.unknown()).describe('Every field Jira returned, unchanged'),
})

/**
 * An issue as the Jira connector returns it.
 *
 * @example
 * ```ts
 * const done = (issue: JiraIssue) => issue.status === 'Done'
 * ```
 */
export type JiraIssue = z.output<typeof jiraIssueSchema>

const name = (value: unknown, key: string): string | null => {
  if (typeof value !== 'object' || value === null) return null
  const found = (value as Record<string, unknown>)[key]
  return typeof found === 'string' ? found : null
}

/** Jira's issue JSON → {@link JiraIssue}. */
export function toJiraIssue(raw: unknown, host: string): JiraIssue {
  const issue = (raw ?? {}) as { id?: unknown; key?: unknown; fields?: Record<string, unknown> }
  const fields = issue.fields ?? {}
  const key = String(issue.key ?? '')
  return {
    id: String(issue.id ?? ''),
    key,
    url: `${host.replace(/\/+$/, '')}/browse/${key}`,
    summary: typeof fields.summary === 'string' ? fields.summary : null,
    description: adfToText(fields.description),
    status: name(fields.status, 'name'),
    issueType: name(fields.issuetype, 'name'),
    project: name(fields.project, 'key'),
    assignee: name(fields.assignee, 'displayName'),
    reporter: name(fields.reporter, 'displayName'),
    labels: Array.isArray(fields.labels)
      ? fields.labels.filter((label): label is string => typeof label === 'string')
      : [],
    created: typeof fields.created === 'string' ? fields.created : null,
    updated: typeof fields.updated === 'string' ? fields.updated : null,
    fields,
  }
}
