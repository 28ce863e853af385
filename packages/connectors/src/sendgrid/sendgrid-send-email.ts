import { z } from 'zod'
import type { ConnectorAction } from '@tessera/core'
import { callSendgrid } from './sendgrid-client'
import type { ResolvedSendgridConfig } from './sendgrid-connector-config'

const addressList = z
  .union([z.string().min(3), z.array(z.string().min(3)).min(1).max(1000)])
  .describe('An address ("a@example.com" or "Name <a@example.com>"), or a list of them')

// SendGrid refuses these as custom headers, and the SDK also sends mail headers as HTTP
// headers: an "Authorization" mail header would replace the API key.
const reservedHeaders = new Set([
  'authorization',
  'on-behalf-of',
  'host',
  'content-length',
  'content-type',
  'content-transfer-encoding',
  'dkim-signature',
  'received',
  'x-sg-id',
  'x-sg-eid',
  'to',
  'from',
  'subject',
  'reply-to',
  'cc',
  'bcc',
])

/**
 * The input schema of the SendGrid connector's `send-email` action: recipients, subject, a
 * text and/or HTML body or a dynamic template, categories, custom args, headers and
 * attachments with base64 content.
 *
 * @example
 * ```ts
 * sendgridSendEmailInputSchema.parse({ to: 'ada@example.com', subject: 'Welcome', text: 'Hello!' })
 * ```
 */
export const sendgridSendEmailInputSchema = z
  .object({
    to: addressList,
    cc: addressList.optional(),
    bcc: addressList.optional(),
    from: z.string().min(3).optional().describe('The sender. Default: the configured "from"'),
    replyTo: z.string().min(3).optional().describe('The Reply-To address'),
    subject: z.string().max(998).optional().describe('The subject (a template may set it)'),
    text: z.string().optional().describe('The plain-text body'),
    html: z.string().optional().describe('The HTML body'),
    templateId: z
      .string()
      .regex(/^d-[0-9a-f]{32}$/, 'a dynamic template id such as "d-0123…" (32 hex digits)')
      .optional()
      .describe('A dynamic template id (d-…)'),
    dynamicTemplateData: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("The template's data"),
    categories: z.array(z.string().min(1).max(255)).max(10).optional().describe('Categories'),
    customArgs: z
      .record(z.string(), z.string())
      .optional()
      .describe('Custom arguments, returned in the Event Webhook'),
    headers: z
      .record(
        z
          .string()
          .regex(/^[!-9;-~]+$/, 'a header name (printable ASCII, no ":")')
          .refine((name) => !reservedHeaders.has(name.toLowerCase()), {
            message: 'a header SendGrid sets itself (To, From, Authorization, …)',
          }),
        z.string().regex(/^[^\r\n]*$/, 'a header value on one line'),
      )
      .optional()
      .describe('Extra mail headers, such as { "X-Campaign": "welcome" }'),
    attachments: z
      .array(
        z
          .object({
            filename: z.string().min(1).describe('The file name'),
            content: z
              .string()
              .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64 text')
              .describe('The content, base64-encoded'),
            type: z.string().optional().describe('The MIME type'),
          })
          .strict(),
      )
      .max(100)
      .optional()
      .describe('Files to attach'),
    sendAt: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Deliver at this Unix time (seconds), at most 72 hours ahead'),
  })
  .strict()
  .refine(
    (input) =>
      input.text !== undefined || input.html !== undefined || input.templateId !== undefined,
    { message: 'an email needs "text", "html" or "templateId"', path: ['text'] },
  )
  .refine((input) => input.subject !== undefined || input.templateId !== undefined, {
    message: 'an email without a template needs a "subject"',
    path: ['subject'],
  })

/**
 * The output of `send-email`: SendGrid's status (202 accepted, 200 in sandbox mode) and its
 * message id (the `X-Message-Id` header), which the Event Webhook events carry.
 *
 * @example
 * ```ts
 * const { messageId } = sendgridSendEmailOutputSchema.parse(output)
 * ```
 */
export const sendgridSendEmailOutputSchema = z.object({
  statusCode: z.number().int().describe('202 when accepted for delivery, 200 in sandbox mode'),
  messageId: z.string().optional().describe("SendGrid's X-Message-Id"),
})

/** The input of `send-email`. */
export type SendgridSendEmailInput = z.input<typeof sendgridSendEmailInputSchema>
/** The output of `send-email`. */
export type SendgridSendEmailOutput = z.output<typeof sendgridSendEmailOutputSchema>

/** The custom argument that carries the step's idempotency key. */
export const sendgridIdempotencyArg = 'tessera_idempotency_key'

/**
 * Builds the `send-email` action.
 *
 * @example
 * ```ts
 * const sendEmail = createSendgridSendEmailAction({ connectorId: 'sendgrid' })
 * ```
 */
export function createSendgridSendEmailAction(settings: {
  connectorId: string
}): ConnectorAction<
  ResolvedSendgridConfig,
  z.output<typeof sendgridSendEmailInputSchema>,
  SendgridSendEmailOutput
> {
  const action = 'send-email'
  return {
    title: 'Send an email',
    description:
      'Sends an email through SendGrid (v3 mail/send); the idempotency key travels as a custom arg',
    examples: [
      {
        title: 'Plain text',
        input: { to: 'ada@example.com', subject: 'Welcome', text: 'Hello, Ada!' },
      },
      {
        title: 'A dynamic template',
        input: {
          to: ['Ada <ada@example.com>'],
          templateId: 'd-0123456789abcdef0123456789abcdef',
          dynamicTemplateData: { name: 'Ada', order: 42 },
          categories: ['orders'],
        },
      },
    ],
    input: sendgridSendEmailInputSchema,
    output: sendgridSendEmailOutputSchema,
    async run({ config, input, signal, idempotencyKey, logger }) {
      const mail: Record<string, unknown> = {
        from: input.from ?? config.from,
        to: input.to,
        ...(input.cc === undefined ? {} : { cc: input.cc }),
        ...(input.bcc === undefined ? {} : { bcc: input.bcc }),
        ...(input.replyTo === undefined ? {} : { replyTo: input.replyTo }),
        ...(input.subject === undefined ? {} : { subject: input.subject }),
        ...(input.text === undefined ? {} : { text: input.text }),
        ...(input.html === undefined ? {} : { html: input.html }),
        ...(input.templateId === undefined ? {} : { templateId: input.templateId }),
        ...(input.dynamicTemplateData === undefined
          ? {}
          : { dynamicTemplateData: input.dynamicTemplateData }),
        ...(input.categories === undefined ? {} : { categories: input.categories }),
        ...(input.headers === undefined ? {} : { headers: input.headers }),
        ...(input.sendAt === undefined ? {} : { sendAt: input.sendAt }),
        ...(input.attachments === undefined
          ? {}
          : {
              attachments: input.attachments.map((attachment) => ({
                filename: attachment.filename,
                content: attachment.content,
                ...(attachment.type === undefined ? {} : { type: attachment.type }),
                disposition: 'attachment',
              })),
            }),
        customArgs: { ...input.customArgs, [sendgridIdempotencyArg]: idempotencyKey },
        ...(config.sandboxMode === true ? { mailSettings: { sandboxMode: { enable: true } } } : {}),
      }
      const [response] = await callSendgrid(
        config,
        { connector: settings.connectorId, action, signal },
        (service) => service.send(mail),
      )
      const messageId = response.headers['x-message-id']
      logger.debug('sendgrid accepted a message', { statusCode: response.statusCode })
      return {
        statusCode: response.statusCode,
        ...(typeof messageId === 'string' ? { messageId } : {}),
      }
    },
  }
}
