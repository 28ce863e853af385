import { z } from 'zod'

const owner = z.string().min(1).describe('The repository owner: a user or an organization')
const repo = z.string().min(1).describe('The repository name, without the owner')
const issueNumber = z.number().int().positive().describe('The issue number within the repository')

/** Fields that address a repository. */
export const repositoryFields = { owner, repo }

/** Fields that address an issue. */
export const issueFields = { owner, repo, issueNumber }

/**
 * An issue as the GitHub connector returns it (a subset of GitHub's issue object, renamed to
 * camelCase).
 *
 * @example
 * ```ts
 * const issue = githubIssueSchema.parse(output)
 * ```
 */
export const githubIssueSchema = z.object({
  number: z.number().int().describe('The issue number'),
  id: z.number().int().describe('The global issue id'),
  title: z.string(),
  body: z.string().nullable(),
  state: z.string().describe('open or closed'),
  url: z.string().describe('The issue page (html_url)'),
  labels: z.array(z.string()).describe('Label names'),
  assignees: z.array(z.string()).describe('Assignee logins'),
  author: z.string().nullable().describe("The author's login"),
  comments: z.number().int().describe('How many comments the issue has'),
  createdAt: z.string(),
  updatedAt: z.string(),
  isPullRequest: z.boolean().describe('True for a pull request (GitHub lists them with issues)'),
})

/**
 * An issue as the GitHub connector returns it.
 *
 * @example
 * ```ts
 * const open = (issue: GitHubIssue) => issue.state === 'open' && !issue.isPullRequest
 * ```
 */
export type GitHubIssue = z.output<typeof githubIssueSchema>

interface RawIssue {
  number: number
  id: number
  title: string
  body?: string | null
  state: string
  html_url: string
  labels?: (string | { name?: string | null })[]
  assignees?: { login: string }[] | null
  user?: { login: string } | null
  comments?: number
  created_at: string
  updated_at: string
  pull_request?: unknown
}

/** GitHub's issue object → {@link GitHubIssue}. */
export function toGitHubIssue(raw: RawIssue): GitHubIssue {
  return {
    number: raw.number,
    id: raw.id,
    title: raw.title,
    body: raw.body ?? null,
    state: raw.state,
    url: raw.html_url,
    labels: (raw.labels ?? [])
      .map((label) => (typeof label === 'string' ? label : (label.name ?? '')))
      .filter((name) => name !== ''),
    assignees: (raw.assignees ?? []).map((assignee) => assignee.login),
    author: raw.user?.login ?? null,
    comments: raw.comments ?? 0,
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
    isPullRequest: raw.pull_request !== undefined && raw.pull_request !== null,
  }
}
