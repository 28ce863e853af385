import { z } from 'zod'
import { secretRef } from '@tessera/core'
import { baseUrlSchema, timeoutMsSchema } from '../config-field-schemas'

/**
 * The configuration schema of the SendGrid connector: the API key (a secret reference), the
 * default sender (a verified Sender Identity), and optionally the data residency, an API base
 * URL (a proxy or a test server), sandbox mode and a timeout.
 *
 * @example
 * ```ts
 * const config = sendgridConnectorConfigSchema.parse({ apiKey: { $secret: 'SENDGRID_API_KEY' }, from: 'noreply@example.com' })
 * ```
 */
export const sendgridConnectorConfigSchema = z
  .object({
    apiKey: secretRef({
      title: 'API key',
      description: 'A SendGrid API key (SG.…) with mail.send',
    }),
    from: z
      .string()
      .min(3)
      .describe(
        'The default sender, a verified Sender Identity, such as "Shop <shop@example.com>"',
      ),
    dataResidency: z
      .enum(['global', 'eu'])
      .optional()
      .describe('Send through api.sendgrid.com (global, default) or api.eu.sendgrid.com (eu)'),
    baseUrl: baseUrlSchema('The API base URL, for a proxy. Overrides dataResidency'),
    sandboxMode: z
      .boolean()
      .optional()
      .describe('Validate messages without delivering them (SendGrid answers 200)'),
    timeoutMs: timeoutMsSchema('Per-request timeout in milliseconds. Default 30 000'),
  })
  .strict()

/** The configuration of the SendGrid connector, as stored (the API key is a secret reference). */
export type SendgridConnectorConfig = z.input<typeof sendgridConnectorConfigSchema>

/** The SendGrid configuration an action receives (the API key resolved). */
export type ResolvedSendgridConfig = Omit<
  z.output<typeof sendgridConnectorConfigSchema>,
  'apiKey'
> & {
  apiKey: string
}
