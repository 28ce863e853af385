import { defineConnector } from '@tessera/core'
import { jiraApi, JiraClients, jiraError } from './jira-client'
import { jiraConfigSchema } from './jira-config'
import {
  addCommentAction,
  createIssueAction,
  getIssueAction,
  transitionIssueAction,
} from './jira-issue-actions'
import { searchIssuesAction } from './jira-search-action'

/**
 * Settings of {@link createJiraConnector}.
 *
 * @example
 * ```ts
 * const settings: JiraConnectorSettings = { id: 'jira-internal' }
 * ```
 */
export interface JiraConnectorSettings {
  /** Default `jira`. Give each instance its own id to register several in one engine. */
  id?: string
}

/**
 * Creates a Jira connector on jira.js's `Version3Client` (an optional peer, loaded on first
 * use): `create-issue`, `get-issue`, `add-comment`, `transition-issue` and `search-issues`
 * (JQL, paginated). REST API v3 for Jira Cloud, v2 for Data Center and Server. Every call passes the step's signal; the step's
 * idempotency key is stored as the `tessera.idempotency` property of created issues and
 * comments. `check` reads the credentials' user (`GET /rest/api/3/myself`).
 *
 * @example
 * ```ts
 * import { createJiraConnector } from '@tessera/connectors/jira'
 *
 * const jira = createJiraConnector()
 * const workflow = createWorkflow({ id: 'incident', input: z.object({ summary: z.string() }) })
 *   .map(({ input }) => ({ projectKey: 'OPS', issueType: 'Bug', summary: input.summary }))
 *   .action(jira, 'create-issue', {
 *     host: 'https://acme.atlassian.net',
 *     email: 'bot@acme.com',
 *     apiToken: { $secret: 'JIRA_API_TOKEN' },
 *   })
 *   .commit()
 * ```
 */
export function createJiraConnector(settings: JiraConnectorSettings = {}) {
  const id = settings.id ?? 'jira'
  const clients = new JiraClients(id)
  const actionSettings = { connectorId: id, clients }
  const connector = defineConnector({
    id,
    name: 'Jira',
    description:
      'Issues, comments, transitions and JQL search in Jira (Cloud, Data Center, Server)',
    docs: 'https://tessera.dev/docs/connectors/jira',
    config: jiraConfigSchema,
    actions: {
      'create-issue': createIssueAction(actionSettings),
      'get-issue': getIssueAction(actionSettings),
      'add-comment': addCommentAction(actionSettings),
      'transition-issue': transitionIssueAction(actionSettings),
      'search-issues': searchIssuesAction(actionSettings),
    },
    async check({ config, signal }) {
      try {
        const sdk = await clients.get(config, 'check')
        await new (jiraApi(sdk, config).Myself)(sdk.scoped(signal)).getCurrentUser()
      } catch (error) {
        throw jiraError(id, 'check', error, signal)
      }
    },
  })
  return Object.freeze({
    ...connector,
    /** Forgets the cached clients. */
    close: async (): Promise<void> => clients.clear(),
  })
}

/**
 * The Jira connector (see {@link createJiraConnector}).
 *
 * @example
 * ```ts
 * engine.register(jiraConnector)
 * ```
 */
export const jiraConnector = /* @__PURE__ */ createJiraConnector()

/**
 * The connector that {@link createJiraConnector} returns.
 *
 * @example
 * ```ts
 * const jira: JiraConnector = createJiraConnector()
 * ```
 */
export type JiraConnector = ReturnType<typeof createJiraConnector>
