import { ConnectorError, defineConnector } from '@tessera/core'
import { sendgridConnectorConfigSchema } from './sendgrid-connector-config'
import { createSendgridSendEmailAction } from './sendgrid-send-email'
import { callSendgrid } from './sendgrid-client'

/** Settings of {@link createSendgridConnector}. */
export interface SendgridConnectorSettings {
  /** Default `sendgrid`. Give each instance its own id to register several in one engine. */
  id?: string
}

/**
 * Creates a SendGrid connector on `@sendgrid/mail` (an optional peer dependency, loaded on
 * first use) with one action, `send-email`, and a `check` that reads the API key's scopes
 * (`GET /v3/scopes`) and fails unless it has `mail.send`. The step's idempotency key travels as
 * the custom argument `tessera_idempotency_key`.
 *
 * @example
 * ```ts
 * const workflow = createWorkflow({ id: 'receipt', input: z.object({ email: z.string() }) })
 *   .map(({ input }) => ({ to: input.email, subject: 'Your receipt', text: 'Thanks!' }))
 *   .action(createSendgridConnector(), 'send-email', {
 *     apiKey: { $secret: 'SENDGRID_API_KEY' },
 *     from: 'shop@example.com',
 *   })
 *   .commit()
 * ```
 */
export function createSendgridConnector(settings: SendgridConnectorSettings = {}) {
  const id = settings.id ?? 'sendgrid'
  return defineConnector({
    id,
    name: 'SendGrid',
    description: 'Sends email through the SendGrid v3 Mail Send API',
    docs: 'https://tessera.dev/docs/connectors/sendgrid',
    config: sendgridConnectorConfigSchema,
    actions: { 'send-email': createSendgridSendEmailAction({ connectorId: id }) },
    async check({ config, signal }) {
      const [response] = await callSendgrid(
        config,
        { connector: id, action: 'check', signal },
        (service) => service.client.request({ method: 'GET', url: '/v3/scopes' }),
      )
      const scopes = (response.body as { scopes?: unknown } | undefined)?.scopes
      if (!Array.isArray(scopes))
        throw new ConnectorError({
          connector: id,
          action: 'check',
          reason: 'invalid-response',
          message: 'SendGrid answered GET /v3/scopes without a "scopes" array',
        })
      if (!scopes.includes('mail.send'))
        throw new ConnectorError({
          connector: id,
          action: 'check',
          reason: 'unauthorized',
          message: 'the API key lacks the mail.send scope',
          status: 403,
        })
    },
  })
}

/**
 * The SendGrid connector with the default settings (see {@link createSendgridConnector}).
 *
 * @example
 * ```ts
 * const { messageId } = await sendgridConnector.actions['send-email'].run({
 *   config: { apiKey: process.env.SENDGRID_API_KEY!, from: 'shop@example.com' },
 *   input: { to: 'ada@example.com', subject: 'Welcome', text: 'Hello!' },
 *   signal: AbortSignal.timeout(10_000),
 *   idempotencyKey: 'welcome-42',
 *   logger: noopLogger,
 * })
 * ```
 */
export const sendgridConnector = /* @__PURE__ */ createSendgridConnector()

/** The connector that {@link createSendgridConnector} returns. */
export type SendgridConnector = ReturnType<typeof createSendgridConnector>
