import { z } from 'zod'
import type { ConnectorAction } from '@tessera/core'
import type { Octokit } from '@octokit/rest'
import { githubError, type GitHubClients } from './github-client'
import type { GitHubConfig } from './github-config'
import {
  githubIssueSchema,
  issueFields,
  repositoryFields,
  toGitHubIssue,
  type GitHubIssue,
} from './github-schemas'

/** What every GitHub action builder receives. */
export interface GitHubActionSettings {
  connectorId: string
  clients: GitHubClients
}

/** Runs `body` with a client, mapping anything thrown to a `ConnectorError`. */
export async function withGitHub<T>(
  settings: GitHubActionSettings,
  action: string,
  config: GitHubConfig,
  signal: AbortSignal,
  body: (octokit: Octokit) => Promise<T>,
): Promise<T> {
  try {
    const octokit = await settings.clients.get(config)
    signal.throwIfAborted()
    return await body(octokit)
  } catch (error) {
    throw githubError(settings.connectorId, action, error, signal)
  }
}

/**
 * The hidden marker `create-issue` with `dedupe: true` writes into the issue body.
 *
 * @example
 * ```ts
 * githubIdempotencyMarker('run-1:create-issue') // '<!-- tessera:run-1:create-issue -->'
 * ```
 */
export function idempotencyMarker(idempotencyKey: string): string {
  return `<!-- tessera:${idempotencyKey} -->`
}

const createIssueInput = z
  .object({
    ...repositoryFields,
    title: z.string().min(1).describe('The issue title'),
    body: z.string().optional().describe('The issue body (Markdown)'),
    labels: z.array(z.string()).optional().describe('Label names to add'),
    assignees: z.array(z.string()).optional().describe('Logins to assign'),
    milestone: z.number().int().positive().optional().describe('A milestone number'),
    dedupe: z
      .boolean()
      .optional()
      .describe(
        "Default false. When true, writes a hidden marker with the step's idempotency key into the body and, before creating, searches the repository for an issue with that marker: a retried step returns the existing issue instead of opening a second one (GitHub's search index lags by seconds, so this is exactly-once-ish)",
      ),
  })
  .strict()

const createIssueOutput = githubIssueSchema.extend({
  created: z.boolean().describe('False when dedupe found the issue a previous attempt created'),
})

/** The `create-issue` action. */
export function createIssueAction(
  settings: GitHubActionSettings,
): ConnectorAction<
  GitHubConfig,
  z.output<typeof createIssueInput>,
  z.output<typeof createIssueOutput>
> {
  return {
    title: 'Create an issue',
    description:
      'Opens an issue in a repository; with dedupe, a retried step returns the issue it already opened',
    examples: [
      {
        title: 'Report a failed deploy',
        input: {
          owner: 'acme',
          repo: 'app',
          title: 'Deploy failed',
          body: 'The 14:00 deploy failed.',
          labels: ['ops'],
          dedupe: true,
        },
      },
    ],
    input: createIssueInput,
    output: createIssueOutput,
    run: ({ config, input, signal, idempotencyKey }) =>
      withGitHub(settings, 'create-issue', config, signal, async (octokit) => {
        const marker = idempotencyMarker(idempotencyKey)
        if (input.dedupe === true) {
          const found = await octokit.request('GET /search/issues', {
            q: `repo:${input.owner}/${input.repo} is:issue in:body "tessera:${idempotencyKey}"`,
            per_page: 10,
            request: { signal },
          })
          const existing = found.data.items.find((item) => item.body?.includes(marker) === true)
          if (existing !== undefined)
            return {
              ...toGitHubIssue(existing as Parameters<typeof toGitHubIssue>[0]),
              created: false,
            }
        }
        const body =
          input.dedupe === true ? `${input.body ?? ''}\n\n${marker}`.trimStart() : input.body
        const response = await octokit.rest.issues.create({
          owner: input.owner,
          repo: input.repo,
          title: input.title,
          ...(body !== undefined ? { body } : {}),
          ...(input.labels !== undefined ? { labels: input.labels } : {}),
          ...(input.assignees !== undefined ? { assignees: input.assignees } : {}),
          ...(input.milestone !== undefined ? { milestone: input.milestone } : {}),
          request: { signal },
        })
        return {
          ...toGitHubIssue(response.data as Parameters<typeof toGitHubIssue>[0]),
          created: true,
        }
      }),
  }
}

const commentInput = z
  .object({ ...issueFields, body: z.string().min(1).describe('The comment (Markdown)') })
  .strict()
const commentOutput = z.object({
  id: z.number().int().describe('The comment id'),
  url: z.string().describe('The comment on the issue page (html_url)'),
  createdAt: z.string(),
})

/** The `comment-on-issue` action. */
export function commentOnIssueAction(
  settings: GitHubActionSettings,
): ConnectorAction<GitHubConfig, z.output<typeof commentInput>, z.output<typeof commentOutput>> {
  return {
    title: 'Comment on an issue',
    description: 'Adds a comment to an issue or a pull request',
    examples: [
      {
        input: { owner: 'acme', repo: 'app', issueNumber: 42, body: 'Fixed in v1.2.3.' },
      },
    ],
    input: commentInput,
    output: commentOutput,
    run: ({ config, input, signal }) =>
      withGitHub(settings, 'comment-on-issue', config, signal, async (octokit) => {
        const { data } = await octokit.rest.issues.createComment({
          owner: input.owner,
          repo: input.repo,
          issue_number: input.issueNumber,
          body: input.body,
          request: { signal },
        })
        return { id: data.id, url: data.html_url, createdAt: data.created_at }
      }),
  }
}

const getIssueInput = z.object(issueFields).strict()

/** The `get-issue` action. */
export function getIssueAction(
  settings: GitHubActionSettings,
): ConnectorAction<GitHubConfig, z.output<typeof getIssueInput>, GitHubIssue> {
  return {
    title: 'Get an issue',
    description: 'Reads one issue (or pull request) by number',
    examples: [{ input: { owner: 'acme', repo: 'app', issueNumber: 42 } }],
    input: getIssueInput,
    output: githubIssueSchema,
    run: ({ config, input, signal }) =>
      withGitHub(settings, 'get-issue', config, signal, async (octokit) => {
        const { data } = await octokit.rest.issues.get({
          owner: input.owner,
          repo: input.repo,
          issue_number: input.issueNumber,
          request: { signal },
        })
        return toGitHubIssue(data as Parameters<typeof toGitHubIssue>[0])
      }),
  }
}

const listIssuesInput = z
  .object({
    ...repositoryFields,
    state: z.enum(['open', 'closed', 'all']).optional().describe('Default open'),
    labels: z.array(z.string()).optional().describe('Only issues with all these labels'),
    assignee: z.string().optional().describe('A login, "none" or "*"'),
    since: z.iso.datetime().optional().describe('Only issues updated at or after this time'),
    includePullRequests: z
      .boolean()
      .optional()
      .describe('Default false: GitHub lists pull requests with issues; they are left out'),
    maxItems: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .describe('Stop after this many issues. Default 100'),
  })
  .strict()
const listIssuesOutput = z.object({
  issues: z.array(githubIssueSchema),
  truncated: z.boolean().describe('True when more issues matched than maxItems'),
})

/** The `list-issues` action. */
export function listIssuesAction(
  settings: GitHubActionSettings,
): ConnectorAction<
  GitHubConfig,
  z.output<typeof listIssuesInput>,
  z.output<typeof listIssuesOutput>
> {
  return {
    title: 'List issues',
    description:
      "Lists a repository's issues, newest first, following GitHub's Link-header pages up to maxItems",
    examples: [
      { input: { owner: 'acme', repo: 'app', state: 'open', labels: ['bug'], maxItems: 50 } },
    ],
    input: listIssuesInput,
    output: listIssuesOutput,
    run: ({ config, input, signal }) =>
      withGitHub(settings, 'list-issues', config, signal, async (octokit) => {
        const maxItems = input.maxItems ?? 100
        const issues: GitHubIssue[] = []
        let truncated = false
        const pages = octokit.paginate.iterator(octokit.rest.issues.listForRepo, {
          owner: input.owner,
          repo: input.repo,
          state: input.state ?? 'open',
          per_page: Math.min(100, maxItems),
          ...(input.labels !== undefined ? { labels: input.labels.join(',') } : {}),
          ...(input.assignee !== undefined ? { assignee: input.assignee } : {}),
          ...(input.since !== undefined ? { since: input.since } : {}),
          request: { signal },
        })
        for await (const page of pages) {
          for (const raw of page.data) {
            const issue = toGitHubIssue(raw as Parameters<typeof toGitHubIssue>[0])
            if (issue.isPullRequest && input.includePullRequests !== true) continue
            if (issues.length === maxItems) {
              truncated = true
              break
            }
            issues.push(issue)
          }
          if (truncated) break
        }
        return { issues, truncated }
      }),
  }
}
