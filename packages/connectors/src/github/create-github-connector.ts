import { defineConnector } from '@tessera/core'
import { GitHubClients, githubError, type GitHubClientFactory } from './github-client'
import { githubConfigSchema } from './github-config'
import { createOrUpdateFileAction } from './github-file-action'
import {
  commentOnIssueAction,
  createIssueAction,
  getIssueAction,
  listIssuesAction,
} from './github-issue-actions'

/**
 * Settings of {@link createGitHubConnector}.
 *
 * @example
 * ```ts
 * const settings: GitHubConnectorSettings = { id: 'github-enterprise', client: ({ token, baseUrl }) => new Octokit({ auth: token, baseUrl }) }
 * ```
 */
export interface GitHubConnectorSettings {
  /** Default `github`. Give each instance its own id to register several in one engine. */
  id?: string
  /** Builds the Octokit client (default: `new Octokit({ auth, baseUrl })`, loaded lazily). */
  client?: GitHubClientFactory
}

/**
 * Creates a GitHub connector on `@octokit/rest` (an optional peer, loaded on first use):
 * `create-issue` (with opt-in dedupe), `comment-on-issue`, `get-issue`, `list-issues`
 * (paginated) and `create-or-update-file`. `check` reads the token's user (`GET /user`).
 * Octokit's clients are cached per token and base URL; `close()` forgets them.
 *
 * @example
 * ```ts
 * import { createGitHubConnector } from '@tessera/connectors/github'
 *
 * const github = createGitHubConnector()
 * const workflow = createWorkflow({ id: 'report', input: z.object({ title: z.string() }) })
 *   .map(({ input }) => ({ owner: 'acme', repo: 'app', title: input.title, dedupe: true }))
 *   .action(github, 'create-issue', { token: { $secret: 'GITHUB_TOKEN' } })
 *   .commit()
 * ```
 */
export function createGitHubConnector(settings: GitHubConnectorSettings = {}) {
  const id = settings.id ?? 'github'
  const clients = new GitHubClients(settings.client)
  const actionSettings = { connectorId: id, clients }
  const connector = defineConnector({
    id,
    name: 'GitHub',
    description: 'Issues, comments and files in GitHub repositories (github.com or Enterprise)',
    docs: 'https://tessera.dev/docs/connectors/github',
    config: githubConfigSchema,
    actions: {
      'create-issue': createIssueAction(actionSettings),
      'comment-on-issue': commentOnIssueAction(actionSettings),
      'get-issue': getIssueAction(actionSettings),
      'list-issues': listIssuesAction(actionSettings),
      'create-or-update-file': createOrUpdateFileAction(actionSettings),
    },
    async check({ config, signal }) {
      try {
        const octokit = await clients.get(config)
        await octokit.rest.users.getAuthenticated({ request: { signal } })
      } catch (error) {
        throw githubError(id, 'check', error, signal)
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
 * The GitHub connector with the default client (see {@link createGitHubConnector}).
 *
 * @example
 * ```ts
 * const issue = await githubConnector.actions['get-issue'].run({
 *   config: { token: process.env.GITHUB_TOKEN! },
 *   input: { owner: 'acme', repo: 'app', issueNumber: 42 },
 *   signal: AbortSignal.timeout(10_000),
 *   idempotencyKey: 'get-42',
 *   logger,
 * })
 * ```
 */
export const githubConnector = /* @__PURE__ */ createGitHubConnector()

/**
 * The connector that {@link createGitHubConnector} returns.
 *
 * @example
 * ```ts
 * const github: GitHubConnector = createGitHubConnector()
 * ```
 */
export type GitHubConnector = ReturnType<typeof createGitHubConnector>
