import { defineConnector } from '@tessera/core'
import { twilioConnectorConfigSchema } from './twilio-connector-config'
import { createTwilioSendSmsAction } from './twilio-send-sms'
import { callTwilio } from './twilio-client'

/** Settings of {@link createTwilioConnector}. */
export interface TwilioConnectorSettings {
  /** Default `twilio`. Give each instance its own id to register several in one engine. */
  id?: string
  /** The fetch the connector's Twilio HTTP client uses. Default: the global `fetch`. */
  fetch?: typeof globalThis.fetch
}

/**
 * Creates a Twilio connector on the `twilio` SDK (an optional peer dependency, loaded on first
 * use) with one action, `send-sms`, and a `check` that fetches the account (credentials
 * accepted). Requests go through a fetch-based HTTP client given to the SDK (its `httpClient`
 * option), so the step's signal ends them and `baseUrl` can point them at a proxy.
 *
 * @example
 * ```ts
 * const workflow = createWorkflow({ id: 'notify-sms', input: z.object({ phone: z.string() }) })
 *   .map(({ input }) => ({ to: input.phone, body: 'Your order has shipped.' }))
 *   .action(createTwilioConnector(), 'send-sms', {
 *     accountSid: 'AC0123456789abcdef0123456789abcdef',
 *     authToken: { $secret: 'TWILIO_AUTH_TOKEN' },
 *     from: '+15005550006',
 *   })
 *   .commit()
 * ```
 */
export function createTwilioConnector(settings: TwilioConnectorSettings = {}) {
  const id = settings.id ?? 'twilio'
  return defineConnector({
    id,
    name: 'Twilio SMS',
    description: 'Sends SMS and MMS through Twilio Programmable Messaging',
    docs: 'https://tessera.dev/docs/connectors/twilio',
    config: twilioConnectorConfigSchema,
    actions: { 'send-sms': createTwilioSendSmsAction({ connectorId: id, fetch: settings.fetch }) },
    async check({ config, signal }) {
      await callTwilio(
        config,
        { connector: id, action: 'check', signal, fetch: settings.fetch },
        (client) => client.api.v2010.accounts(config.accountSid).fetch(),
      )
    },
  })
}

/**
 * The Twilio connector with the default settings (see {@link createTwilioConnector}).
 *
 * @example
 * ```ts
 * const { sid } = await twilioConnector.actions['send-sms'].run({
 *   config: { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: process.env.TWILIO_AUTH_TOKEN!, from: '+15005550006' },
 *   input: { to: '+15558675310', body: 'Hello' },
 *   signal: AbortSignal.timeout(10_000),
 *   idempotencyKey: 'sms-42',
 *   logger: noopLogger,
 * })
 * ```
 */
export const twilioConnector = /* @__PURE__ */ createTwilioConnector()

/** The connector that {@link createTwilioConnector} returns. */
export type TwilioConnector = ReturnType<typeof createTwilioConnector>
