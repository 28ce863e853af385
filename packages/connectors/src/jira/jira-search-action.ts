import { z } from 'zod'
import type { ConnectorAction } from '@tessera/core'
import type { JiraConfig } from './jira-config'
import { withJira, type JiraActionSettings } from './jira-issue-actions'
import { jiraIssueSchema, toJiraIssue, type JiraIssue } from './jira-schemas'

const searchInput = z
  .object({
    jql: z.string().min(1).describe('A JQL query, such as project = OPS AND status != Done'),
    fields: z
      .array(z.string())
      .optional()
      .describe(
        'Fields to return. Default: summary, status, issuetype, project, assignee, reporter, labels, created, updated',
      ),
    maxItems: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .describe('Stop after this many issues. Default 100'),
  })
  .strict()
const searchOutput = z.object({
  issues: z.array(jiraIssueSchema),
  truncated: z.boolean().describe('True when more issues matched than maxItems'),
})

const defaultFields = [
  'summary',
  'status',
  'issuetype',
  'project',
  'assignee',
  'reporter',
  'labels',
  'created',
  'updated',
]

/** The `search-issues` action. */
export function searchIssuesAction(
  settings: JiraActionSettings,
): ConnectorAction<JiraConfig, z.output<typeof searchInput>, z.output<typeof searchOutput>> {
  return {
    title: 'Search issues',
    description:
      'Finds issues with JQL (GET /rest/api/3/search/jql), following nextPageToken up to maxItems',
    examples: [
      { input: { jql: 'project = OPS AND status != Done ORDER BY created DESC', maxItems: 50 } },
    ],
    input: searchInput,
    output: searchOutput,
    run: ({ config, input, signal }) =>
      withJira(settings, 'search-issues', config, signal, async ({ module, scoped }) => {
        const search = new module.Version3.IssueSearch(scoped(signal))
        const maxItems = input.maxItems ?? 100
        const issues: JiraIssue[] = []
        let nextPageToken: string | undefined
        let truncated = false
        do {
          const page = await search.searchForIssuesUsingJqlEnhancedSearch({
            jql: input.jql,
            maxResults: Math.min(100, maxItems - issues.length),
            fields: input.fields ?? defaultFields,
            ...(nextPageToken !== undefined ? { nextPageToken } : {}),
          })
          for (const raw of page.issues ?? []) issues.push(toJiraIssue(raw, config.host))
          nextPageToken =
            (page as { isLast?: boolean }).isLast === true
              ? undefined
              : (page.nextPageToken ?? undefined)
          if (issues.length >= maxItems && nextPageToken !== undefined) {
            truncated = true
            break
          }
        } while (nextPageToken !== undefined)
        return {
          issues: issues.slice(0, maxItems),
          truncated: truncated || issues.length > maxItems,
        }
      }),
  }
}
