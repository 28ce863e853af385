import { z } from 'zod'
import type { ConnectorAction } from '@tessera/core'
import { callTwilio } from './twilio-client'
import type { ResolvedTwilioConfig } from './twilio-connector-config'

/**
 * The input schema of the Twilio connector's `send-sms` action: the recipient in E.164 form
 * (or a channel address such as `whatsapp:+1…`), the text, and optionally another sender,
 * media URLs (MMS) and a status callback URL.
 *
 * @example
 * ```ts
 * twilioSendSmsInputSchema.parse({ to: '+15558675310', body: 'Your code is 123456' })
 * ```
 */
export const twilioSendSmsInputSchema = z
  .object({
    to: z
      .string()
      .regex(/^(\+[1-9]\d{1,14}|[a-z]+:.+)$/, 'a phone number in E.164 form, such as +15558675310')
      .describe('The recipient: +E.164 number or channel address (whatsapp:+1…)'),
    body: z.string().min(1).max(1600).describe('The message text (at most 1 600 characters)'),
    from: z.string().min(1).optional().describe('The sender. Default: the configured "from"'),
    mediaUrl: z
      .array(z.url({ protocol: /^https?$/ }))
      .max(10)
      .optional()
      .describe('Public URLs of images to send as MMS'),
    statusCallback: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('Twilio posts delivery status updates to this URL'),
  })
  .strict()

/**
 * The output of `send-sms`: the message SID and its status right after creation (`queued`,
 * `accepted`, …; delivery is reported to the status callback).
 *
 * @example
 * ```ts
 * const { sid, status } = twilioSendSmsOutputSchema.parse(output)
 * ```
 */
export const twilioSendSmsOutputSchema = z.object({
  sid: z.string().describe('The message SID (SM…)'),
  status: z.string().describe('queued, accepted, sending, sent, failed, …'),
  to: z.string().describe('The recipient'),
  from: z.string().nullable().describe('The sender Twilio used'),
  segments: z.number().int().optional().describe('SMS segments the body takes'),
})

/** The input of `send-sms`. */
export type TwilioSendSmsInput = z.input<typeof twilioSendSmsInputSchema>
/** The output of `send-sms`. */
export type TwilioSendSmsOutput = z.output<typeof twilioSendSmsOutputSchema>

/**
 * Builds the `send-sms` action.
 *
 * @example
 * ```ts
 * const sendSms = createTwilioSendSmsAction({ connectorId: 'twilio' })
 * ```
 */
export function createTwilioSendSmsAction(settings: {
  connectorId: string
  fetch?: typeof globalThis.fetch | undefined
}): ConnectorAction<
  ResolvedTwilioConfig,
  z.output<typeof twilioSendSmsInputSchema>,
  TwilioSendSmsOutput
> {
  return {
    title: 'Send an SMS',
    description: 'Sends an SMS (or MMS) through Twilio Programmable Messaging',
    examples: [
      { title: 'A text', input: { to: '+15558675310', body: 'Your order has shipped.' } },
      {
        title: 'With a status callback',
        input: {
          to: '+15558675310',
          body: 'Your code is 123456',
          statusCallback: 'https://example.com/twilio/status',
        },
      },
    ],
    input: twilioSendSmsInputSchema,
    output: twilioSendSmsOutputSchema,
    async run({ config, input, signal, logger }) {
      const from = input.from ?? config.from
      const message = await callTwilio(
        config,
        { connector: settings.connectorId, action: 'send-sms', signal, fetch: settings.fetch },
        (client) =>
          client.messages.create({
            to: input.to,
            body: input.body,
            ...(/^MG[0-9a-fA-F]{32}$/.test(from) ? { messagingServiceSid: from } : { from }),
            ...(input.mediaUrl === undefined ? {} : { mediaUrl: input.mediaUrl }),
            ...(input.statusCallback === undefined ? {} : { statusCallback: input.statusCallback }),
          }),
      )
      logger.debug('twilio message created', { sid: message.sid, status: message.status })
      const segments = Number(message.numSegments)
      return {
        sid: message.sid,
        status: String(message.status),
        to: message.to,
        from: message.from ?? null,
        ...(Number.isInteger(segments) ? { segments } : {}),
      }
    },
  }
}
