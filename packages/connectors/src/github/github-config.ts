import { z } from 'zod'
import { secretRef } from '@tessera/core'
import { baseUrlSchema } from '../config-field-schemas'

/**
 * The configuration schema of the GitHub connector: a token (a secret reference) and, for
 * GitHub Enterprise Server or a proxy, the REST API's base URL.
 *
 * @example
 * ```ts
 * githubConfigSchema.parse({ token: { $secret: 'GITHUB_TOKEN' }, baseUrl: 'https://ghe.example.com/api/v3' })
 * ```
 */
export const githubConfigSchema = z
  .object({
    token: secretRef({
      title: 'Token',
      description:
        'A GitHub token: a fine-grained or classic personal access token, or a GitHub App installation token',
    }),
    baseUrl: baseUrlSchema(
      'The REST API base URL. Default https://api.github.com; for GitHub Enterprise Server https://HOST/api/v3',
    ),
  })
  .strict()

/**
 * The GitHub connector's configuration, as an action receives it (secrets resolved).
 *
 * @example
 * ```ts
 * const config: GitHubConfig = { token: process.env.GITHUB_TOKEN!, baseUrl: 'https://ghe.example.com/api/v3' }
 * ```
 */
export interface GitHubConfig {
  token: string
  baseUrl?: string | undefined
}
