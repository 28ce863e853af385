import { z } from 'zod'
import { secretRef } from '@tessera/core'

/**
 * The configuration schema of the Jira connector: the site URL and either an Atlassian account
 * email with an API token (Jira Cloud, basic auth) or a personal access token (Jira Data Center
 * and Server, bearer auth). The tokens are secret references.
 *
 * @example
 * ```ts
 * jiraConfigSchema.parse({ host: 'https://acme.atlassian.net', email: 'bot@acme.com', apiToken: { $secret: 'JIRA_API_TOKEN' } })
 * jiraConfigSchema.parse({ host: 'https://jira.acme.internal', token: { $secret: 'JIRA_PAT' } })
 * ```
 */
export const jiraConfigSchema = z
  .object({
    host: z
      .url({ protocol: /^https?$/, error: 'an http or https URL' })
      .describe('The Jira site, such as https://acme.atlassian.net (a proxy URL works too)'),
    email: z
      .email()
      .optional()
      .describe('The Atlassian account email that owns apiToken (Jira Cloud basic auth)'),
    apiToken: secretRef({
      title: 'API token',
      description: 'An Atlassian API token, used with email (Jira Cloud)',
    }).optional(),
    token: secretRef({
      title: 'Personal access token',
      description: 'A personal access token, sent as a bearer token (Jira Data Center / Server)',
    }).optional(),
    apiVersion: z
      .enum(['2', '3'])
      .optional()
      .describe(
        'The REST API version: 3 (Jira Cloud; descriptions and comments in ADF) or 2 (Data Center / Server; plain text). Default 3 with email/apiToken, 2 with token',
      ),
  })
  .strict()
  .superRefine((config, context) => {
    const basic = config.email !== undefined || config.apiToken !== undefined
    if (basic && config.token !== undefined)
      context.addIssue({
        code: 'custom',
        path: ['token'],
        message: 'either email with apiToken (basic auth) or token (bearer), not both',
      })
    else if (basic && (config.email === undefined || config.apiToken === undefined))
      context.addIssue({
        code: 'custom',
        path: [config.email === undefined ? 'email' : 'apiToken'],
        message: 'email and apiToken go together (basic auth)',
      })
    else if (!basic && config.token === undefined)
      context.addIssue({
        code: 'custom',
        path: ['apiToken'],
        message: 'credentials: email with apiToken, or token',
      })
  })

/**
 * The REST API version a configuration uses: its `apiVersion`, else 3 for Cloud credentials
 * (email and API token) and 2 for a personal access token (Data Center / Server).
 *
 * @example
 * ```ts
 * jiraApiVersion({ host: 'https://jira.acme.internal', token: 'pat' }) // '2'
 * ```
 */
export function jiraApiVersion(config: JiraConfig): '2' | '3' {
  return config.apiVersion ?? (config.token !== undefined ? '2' : '3')
}

/**
 * The Jira connector's configuration, as an action receives it (secrets resolved).
 *
 * @example
 * ```ts
 * const config: JiraConfig = { host: 'https://acme.atlassian.net', email: 'bot@acme.com', apiToken: process.env.JIRA_API_TOKEN! }
 * ```
 */
export interface JiraConfig {
  host: string
  apiVersion?: '2' | '3' | undefined
  email?: string | undefined
  apiToken?: string | undefined
  token?: string | undefined
}
