import { z } from 'zod'
import { secretRef } from '@tessera/core'
import { baseUrlSchema, timeoutMsSchema } from '../config-field-schemas'

/**
 * The configuration schema of the Twilio connector: the account SID, the auth token (a secret
 * reference), the default sender (a phone number in E.164 form, or a Messaging Service SID
 * `MG…`), and an API base URL for a proxy or a test server.
 *
 * @example
 * ```ts
 * const config = twilioConnectorConfigSchema.parse({
 *   accountSid: 'AC0123456789abcdef0123456789abcdef',
 *   authToken: { $secret: 'TWILIO_AUTH_TOKEN' },
 *   from: '+15005550006',
 * })
 * ```
 */
export const twilioConnectorConfigSchema = z
  .object({
    accountSid: z
      .string()
      .regex(/^AC[0-9a-fA-F]{32}$/, 'an account SID: "AC" and 32 hex digits')
      .describe('The account SID (AC…)'),
    authToken: secretRef({
      title: 'Auth token',
      description: "The account's auth token (or an API key secret), as a secret reference",
    }),
    from: z
      .string()
      .regex(
        /^(\+[1-9]\d{1,14}|MG[0-9a-fA-F]{32}|[A-Za-z0-9 ]{1,11}|[a-z]+:.+)$/,
        'a phone number in E.164 form (+15005550006), a Messaging Service SID (MG…), an alphanumeric sender id or a channel address (whatsapp:+1…)',
      )
      .describe('The default sender: +E.164 number, Messaging Service SID (MG…) or sender id'),
    baseUrl: baseUrlSchema(
      'Replaces https://api.twilio.com (and every other Twilio host): for a proxy',
    ),
    timeoutMs: timeoutMsSchema('Per-request timeout in milliseconds. Default 30 000'),
  })
  .strict()

/** The configuration of the Twilio connector, as stored (the auth token is a secret reference). */
export type TwilioConnectorConfig = z.input<typeof twilioConnectorConfigSchema>

/** The Twilio configuration an action receives (the auth token resolved). */
export type ResolvedTwilioConfig = Omit<
  z.output<typeof twilioConnectorConfigSchema>,
  'authToken'
> & {
  authToken: string
}
