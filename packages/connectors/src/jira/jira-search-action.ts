import { z } from 'zod'
import type { ConnectorAction } from '@tessera/core'
import { jiraApiVersion, type JiraConfig } from './jira-config'
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
      'Finds issues with JQL, following the pages (nextPageToken on Cloud, startAt on Data Center) up to maxItems',
    examples: [
      { input: { jql: 'project = OPS AND status != Done ORDER BY created DESC', maxItems: 50 } },
    ],
    input: searchInput,
    output: searchOutput,
    run: ({ config, input, signal }) =>
      withJira(settings, 'search-issues', config, signal, async (sdk) => {
        const maxItems = input.maxItems ?? 100
        const fields = input.fields ?? defaultFields
        const issues: JiraIssue[] = []
        let more = true
        if (jiraApiVersion(config) === '2') {
          // Data Center / Server: GET /rest/api/2/search, paged by startAt and total.
          const search = new sdk.module.Version2.IssueSearch(sdk.scoped(signal))
          while (more && issues.length < maxItems) {
            const page = await search.searchForIssuesUsingJql({
              jql: input.jql,
              startAt: issues.length,
              maxResults: Math.min(100, maxItems - issues.length),
              fields,
            })
            const found = page.issues ?? []
            for (const raw of found) issues.push(toJiraIssue(raw, config.host))
            more = found.length > 0 && issues.length < (page.total ?? 0)
          }
        } else {
          // Cloud: the enhanced search, GET /rest/api/3/search/jql, paged by nextPageToken.
          const search = new sdk.module.Version3.IssueSearch(sdk.scoped(signal))
          let nextPageToken: string | undefined
          while (more && issues.length < maxItems) {
            const page = await search.searchForIssuesUsingJqlEnhancedSearch({
              jql: input.jql,
              maxResults: Math.min(100, maxItems - issues.length),
              fields,
              ...(nextPageToken !== undefined ? { nextPageToken } : {}),
            })
            for (const raw of page.issues ?? []) issues.push(toJiraIssue(raw, config.host))
            nextPageToken =
              (page as { isLast?: boolean }).isLast === true
                ? undefined
                : (page.nextPageToken ?? undefined)
            more = nextPageToken !== undefined
          }
        }
        return { issues: issues.slice(0, maxItems), truncated: more || issues.length > maxItems }
      }),
  }
}
