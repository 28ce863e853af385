import { z } from 'zod'
import { ConnectorError, type ConnectorAction } from '@tessera/core'
import { smtpError } from './smtp-errors'
import { evictSmtpTransport, smtpTransport, type ResolvedSmtpConfig } from './smtp-transports'

const addressList = z
  .union([z.string().min(3), z.array(z.string().min(3)).min(1).max(1000)])
  .describe('An address ("a@example.com" or "Name <a@example.com>"), or a list of them')

const base64 = z
  .string()
  .regex(/^[A-Za-z0-9+/\r\n]*={0,2}\s*$/, 'base64 text')
  .describe('The file content, base64-encoded')

/**
 * The input schema of the SMTP connector's `send-email` action: recipients, subject, a text
 * and/or HTML body, extra headers, and attachments with base64 content.
 *
 * @example
 * ```ts
 * smtpSendEmailInputSchema.parse({ to: 'ops@example.com', subject: 'Deploy finished', text: 'All green.' })
 * ```
 */
export const smtpSendEmailInputSchema = z
  .object({
    to: addressList,
    cc: addressList.optional(),
    bcc: addressList.optional(),
    from: z.string().min(3).optional().describe('The sender. Default: the configured "from"'),
    replyTo: z.string().min(3).optional().describe('The Reply-To address'),
    subject: z.string().max(998).describe('The subject line'),
    text: z.string().optional().describe('The plain-text body'),
    html: z.string().optional().describe('The HTML body'),
    headers: z
      .record(
        z.string().regex(/^[!-9;-~]+$/, 'a header name (printable ASCII, no ":")'),
        z.string().regex(/^[^\r\n]*$/, 'a header value on one line'),
      )
      .optional()
      .describe('Extra headers, such as { "X-Campaign": "welcome" }'),
    attachments: z
      .array(
        z
          .object({
            filename: z.string().min(1).describe('The file name shown to the recipient'),
            content: base64,
            contentType: z
              .string()
              .optional()
              .describe('The MIME type. Default: from the file name'),
          })
          .strict(),
      )
      .max(100)
      .optional()
      .describe('Files to attach'),
  })
  .strict()
  .refine((input) => input.text !== undefined || input.html !== undefined, {
    message: 'an email needs "text" or "html"',
    path: ['text'],
  })

/**
 * The output of `send-email`: the Message-ID (made from the idempotency key), the recipients
 * the server accepted and those it refused, and the server's final reply.
 *
 * @example
 * ```ts
 * const { messageId, rejected } = smtpSendEmailOutputSchema.parse(output)
 * ```
 */
export const smtpSendEmailOutputSchema = z.object({
  messageId: z.string().describe('The Message-ID header, such as "<run-1%3Asend@tessera>"'),
  accepted: z.array(z.string()).describe('Recipients the server accepted'),
  rejected: z.array(z.string()).describe('Recipients the server refused'),
  response: z.string().describe("The server's reply to the message, such as 250 OK: queued as …"),
})

/** The input of `send-email`. */
export type SmtpSendEmailInput = z.input<typeof smtpSendEmailInputSchema>
/** The output of `send-email`. */
export type SmtpSendEmailOutput = z.output<typeof smtpSendEmailOutputSchema>

/**
 * The Message-ID a step's idempotency key gives: `<key@domain>`, with every character that
 * RFC 5322 does not allow there percent-encoded. A retried step sends the same Message-ID, which
 * receiving systems and mail archives use to recognise (and often drop) the duplicate.
 *
 * @example
 * ```ts
 * messageIdFor('run-1:send', 'example.com') // '<run-1%3Asend@example.com>'
 * ```
 */
export function messageIdFor(idempotencyKey: string, domain = 'tessera'): string {
  const local = Array.from(new TextEncoder().encode(idempotencyKey), (byte) => {
    const char = String.fromCharCode(byte)
    return /[A-Za-z0-9!#$&'*+\-/=?^_`{|}~]/.test(char) && byte < 128
      ? char
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }).join('')
  return `<${local}@${domain}>`
}

/**
 * Builds the `send-email` action.
 *
 * @example
 * ```ts
 * const sendEmail = createSmtpSendEmailAction({ connectorId: 'smtp' })
 * ```
 */
export function createSmtpSendEmailAction(settings: {
  connectorId: string
}): ConnectorAction<
  ResolvedSmtpConfig,
  z.output<typeof smtpSendEmailInputSchema>,
  SmtpSendEmailOutput
> {
  const action = 'send-email'
  return {
    title: 'Send an email',
    description:
      'Sends an email through the SMTP relay; the Message-ID is made from the idempotency key',
    examples: [
      {
        title: 'Plain text',
        input: { to: 'ops@example.com', subject: 'Deploy finished', text: 'All green.' },
      },
      {
        title: 'HTML with an attachment',
        input: {
          to: ['Ada <ada@example.com>'],
          cc: 'audit@example.com',
          subject: 'Your invoice',
          html: '<p>Thank you for your order.</p>',
          text: 'Thank you for your order.',
          attachments: [
            { filename: 'invoice.txt', content: 'SW52b2ljZSA0Mg==', contentType: 'text/plain' },
          ],
        },
      },
    ],
    input: smtpSendEmailInputSchema,
    output: smtpSendEmailOutputSchema,
    async run({ config, input, signal, idempotencyKey, logger }) {
      const transport = await smtpTransport(config, settings.connectorId, action)
      const messageId = messageIdFor(idempotencyKey, config.messageIdDomain)
      let info: { messageId?: unknown; accepted?: unknown; rejected?: unknown; response?: unknown }
      try {
        info = await transport.sendMail({
          from: input.from ?? config.from,
          to: input.to,
          ...(input.cc === undefined ? {} : { cc: input.cc }),
          ...(input.bcc === undefined ? {} : { bcc: input.bcc }),
          ...(input.replyTo === undefined ? {} : { replyTo: input.replyTo }),
          subject: input.subject,
          ...(input.text === undefined ? {} : { text: input.text }),
          ...(input.html === undefined ? {} : { html: input.html }),
          ...(input.headers === undefined ? {} : { headers: input.headers }),
          ...(input.attachments === undefined
            ? {}
            : {
                attachments: input.attachments.map((attachment) => ({
                  filename: attachment.filename,
                  content: attachment.content,
                  encoding: 'base64',
                  ...(attachment.contentType === undefined
                    ? {}
                    : { contentType: attachment.contentType }),
                })),
              }),
          messageId,
          signal,
          // Nodemailer must not read files or URLs named in the input.
          disableFileAccess: true,
          disableUrlAccess: true,
        })
      } catch (error) {
        const mapped = smtpError(error, { connector: settings.connectorId, action, signal })
        if (mapped.reason === 'unauthorized') evictSmtpTransport(config)
        throw mapped
      }
      const addresses = (value: unknown) =>
        Array.isArray(value)
          ? value.map((entry) =>
              typeof entry === 'string' ? entry : String((entry as { address?: unknown }).address),
            )
          : []
      if (typeof info.response !== 'string')
        throw new ConnectorError({
          connector: settings.connectorId,
          action,
          reason: 'invalid-response',
          message: 'the transport reported no server reply for the message',
        })
      logger.debug('smtp message sent', { messageId })
      return {
        messageId: typeof info.messageId === 'string' ? info.messageId : messageId,
        accepted: addresses(info.accepted),
        rejected: addresses(info.rejected),
        response: info.response,
      }
    },
  }
}
