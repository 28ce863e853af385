import { z } from 'zod'
import type { ConnectorAction } from '@tessera/core'
import type { GitHubConfig } from './github-config'
import { repositoryFields } from './github-schemas'
import { withGitHub, type GitHubActionSettings } from './github-issue-actions'

const fileInput = z
  .object({
    ...repositoryFields,
    path: z.string().min(1).describe('The file path in the repository, such as docs/status.md'),
    content: z.string().describe('The new file content (text; sent base64-encoded)'),
    message: z.string().min(1).describe('The commit message'),
    branch: z.string().optional().describe('Default: the repository default branch'),
    sha: z
      .string()
      .optional()
      .describe('The blob SHA of the file being replaced; required to update an existing file'),
  })
  .strict()
const fileOutput = z.object({
  path: z.string(),
  sha: z.string().describe('The new blob SHA (pass it as sha to update the file again)'),
  commitSha: z.string(),
  url: z.string().nullable().describe('The file page (html_url)'),
  created: z.boolean().describe('True when the file did not exist before'),
})

/** The `create-or-update-file` action. */
export function createOrUpdateFileAction(
  settings: GitHubActionSettings,
): ConnectorAction<GitHubConfig, z.output<typeof fileInput>, z.output<typeof fileOutput>> {
  return {
    title: 'Create or update a file',
    description:
      'Commits a text file to a repository (contents API); give the previous sha to replace a file',
    examples: [
      {
        input: {
          owner: 'acme',
          repo: 'app',
          path: 'status/today.md',
          content: '# All systems go\n',
          message: 'status: all systems go',
        },
      },
    ],
    input: fileInput,
    output: fileOutput,
    run: ({ config, input, signal }) =>
      withGitHub(settings, 'create-or-update-file', config, signal, async (octokit) => {
        const response = await octokit.rest.repos.createOrUpdateFileContents({
          owner: input.owner,
          repo: input.repo,
          path: input.path,
          message: input.message,
          content: Buffer.from(input.content, 'utf8').toString('base64'),
          ...(input.branch !== undefined ? { branch: input.branch } : {}),
          ...(input.sha !== undefined ? { sha: input.sha } : {}),
          request: { signal },
        })
        const { content, commit } = response.data
        return {
          path: content?.path ?? input.path,
          sha: content?.sha ?? '',
          commitSha: commit.sha ?? '',
          url: content?.html_url ?? null,
          created: response.status === 201,
        }
      }),
  }
}
