import { z } from 'zod'
import { secretRef } from '@tessera/core'
import { baseUrlSchema, timeoutMsSchema } from '../config-field-schemas'

/**
 * The configuration schema of the Slack connector: a bot token (a secret reference) and, for
 * proxies, Slack GovSlack or tests, the Web API base URL.
 *
 * @example
 * ```ts
 * const config = slackConnectorConfigSchema.parse({ token: { $secret: 'SLACK_BOT_TOKEN' } })
 * ```
 */
export const slackConnectorConfigSchema = z
  .object({
    token: secretRef({
      title: 'Bot token',
      description: 'A Slack bot token (xoxb-…) or user token (xoxp-…), as a secret reference',
    }),
    baseUrl: baseUrlSchema(
      'The Web API base URL, for a proxy or GovSlack. Default https://slack.com/api/',
    ),
    timeoutMs: timeoutMsSchema('Per-call timeout in milliseconds. Default 30 000'),
  })
  .strict()

/** The configuration of the Slack connector, as stored (the token is a secret reference). */
export type SlackConnectorConfig = z.input<typeof slackConnectorConfigSchema>
