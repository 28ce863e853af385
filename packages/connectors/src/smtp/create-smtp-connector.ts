import { defineConnector } from '@tessera/core'
import { smtpConnectorConfigSchema } from './smtp-connector-config'
import { createSmtpSendEmailAction } from './smtp-send-email'
import { smtpError } from './smtp-errors'
import { evictSmtpTransport, smtpTransport } from './smtp-transports'

/** Settings of {@link createSmtpConnector}. */
export interface SmtpConnectorSettings {
  /** Default `smtp`. Give each instance its own id to register several in one engine. */
  id?: string
}

/**
 * Creates an SMTP email connector on Nodemailer (an optional peer dependency, loaded on first
 * use) with one action, `send-email`, and a `check` that connects and logs in. Connections are
 * pooled per configuration; {@link closeSmtpTransports} closes them. The step's idempotency key
 * becomes the Message-ID, and the step's signal cancels a send (queued or on the wire).
 *
 * @example
 * ```ts
 * const email = createSmtpConnector()
 * const workflow = createWorkflow({ id: 'welcome', input: z.object({ email: z.string() }) })
 *   .map(({ input }) => ({ to: input.email, subject: 'Welcome', text: 'Hello!' }))
 *   .action(email, 'send-email', {
 *     host: 'smtp.example.com',
 *     auth: { user: 'apikey', pass: { $secret: 'SMTP_PASSWORD' } },
 *     from: 'Tessera <noreply@example.com>',
 *   })
 *   .commit()
 * ```
 */
export function createSmtpConnector(settings: SmtpConnectorSettings = {}) {
  const id = settings.id ?? 'smtp'
  return defineConnector({
    id,
    name: 'Email (SMTP)',
    description: 'Sends email through an SMTP relay (Nodemailer)',
    docs: 'https://tessera.dev/docs/connectors/smtp',
    config: smtpConnectorConfigSchema,
    actions: { 'send-email': createSmtpSendEmailAction({ connectorId: id }) },
    async check({ config, signal }) {
      const transport = await smtpTransport(config, id, 'check')
      let onAbort: (() => void) | undefined
      try {
        await Promise.race([
          transport.verify(),
          new Promise<never>((_, reject) => {
            onAbort = () => reject(signal.reason)
            if (signal.aborted) onAbort()
            else signal.addEventListener('abort', onAbort, { once: true })
          }),
        ])
      } catch (error) {
        const mapped = smtpError(error, { connector: id, action: 'check', signal })
        // A rejected login: the next attempt builds a transport with the (rotated) password.
        if (mapped.reason === 'unauthorized') evictSmtpTransport(config)
        throw mapped
      } finally {
        if (onAbort) signal.removeEventListener('abort', onAbort)
      }
    },
  })
}

/**
 * The SMTP connector with the default settings (see {@link createSmtpConnector}).
 *
 * @example
 * ```ts
 * const { messageId } = await smtpConnector.actions['send-email'].run({
 *   config: { host: 'localhost', port: 1025, from: 'app@example.com' },
 *   input: { to: 'ops@example.com', subject: 'Hi', text: 'Hello' },
 *   signal: AbortSignal.timeout(10_000),
 *   idempotencyKey: 'welcome-42',
 *   logger: noopLogger,
 * })
 * ```
 */
export const smtpConnector = /* @__PURE__ */ createSmtpConnector()

/** The connector that {@link createSmtpConnector} returns. */
export type SmtpConnector = ReturnType<typeof createSmtpConnector>
