import { z } from 'zod'
import { secretRef } from '@tessera/core'
import { timeoutMsSchema } from '../config-field-schemas'

/**
 * The configuration schema of the Teams webhook connector: the URL of a Teams Workflows
 * ("Post to a channel when a webhook request is received") or incoming webhook. Whoever has
 * the URL can post, so it is a secret reference.
 *
 * @example
 * ```ts
 * const config = teamsWebhookConfigSchema.parse({ webhookUrl: { $secret: 'TEAMS_WEBHOOK_URL' } })
 * ```
 */
export const teamsWebhookConfigSchema = z
  .object({
    webhookUrl: secretRef({
      title: 'Webhook URL',
      description:
        'The Teams Workflows or incoming webhook URL (it grants posting, keep it secret)',
    }),
    timeoutMs: timeoutMsSchema('Per-request timeout in milliseconds. Default 30 000'),
  })
  .strict()

/** The configuration of the Teams webhook connector, as stored. */
export type TeamsWebhookConfig = z.input<typeof teamsWebhookConfigSchema>

/** The configuration the webhook action receives (the URL resolved). */
export interface ResolvedTeamsWebhookConfig {
  webhookUrl: string
  timeoutMs?: number | undefined
}
