import type { ResolvedSendgridConfig } from './sendgrid-connector-config'
import { createSdkLoader } from '../load-sdk'
import { sendgridError } from './sendgrid-errors'

/** The default per-request timeout of the SendGrid connector, in milliseconds. */
export const defaultSendgridTimeoutMs = 30_000

/** The parts of `@sendgrid/mail`'s MailService (and its client) the connector uses. */
export interface SendgridMailService {
  send(
    data: Record<string, unknown>,
  ): Promise<[{ statusCode: number; headers: Record<string, unknown> }, unknown]>
  client: {
    setApiKey(apiKey: string): void
    setDataResidency(region: string): void
    setDefaultRequest(key: string, value: unknown): void
    request(data: {
      method: string
      url: string
    }): Promise<[{ statusCode: number; body: unknown }, unknown]>
  }
}

type MailServiceClass = new () => SendgridMailService

const loadMailService = createSdkLoader(
  // CommonJS: the class hangs off the module (and off its default export, the singleton).
  () =>
    import('@sendgrid/mail').then((loaded) => {
      const module = loaded as unknown as {
        MailService?: MailServiceClass
        default?: { MailService?: MailServiceClass }
      }
      const found = module.MailService ?? module.default?.MailService
      if (found === undefined) throw new Error('@sendgrid/mail has no MailService export')
      return found
    }),
  '@sendgrid/mail',
  'SendGrid',
)

/**
 * Calls SendGrid through a `MailService` of `@sendgrid/mail` made for this call: its client
 * carries the API key, the base URL, the timeout and the step's signal (axios aborts the request
 * with it). The service holds no sockets of its own, so there is nothing to close. Failures
 * become `ConnectorError`s (see `sendgridError`).
 *
 * @example
 * ```ts
 * const [response] = await callSendgrid(config, { connector: 'sendgrid', action: 'send-email', signal }, (service) => service.send(mail))
 * ```
 */
export async function callSendgrid<T>(
  config: ResolvedSendgridConfig,
  context: { connector: string; action: string; signal: AbortSignal },
  call: (service: SendgridMailService) => Promise<T>,
): Promise<T> {
  const MailService = await loadMailService(context.connector, context.action)
  const service = new MailService()
  // setApiKey resets the base URL to the data residency's host, so it comes first.
  service.client.setApiKey(config.apiKey)
  if (config.dataResidency !== undefined) service.client.setDataResidency(config.dataResidency)
  if (config.baseUrl !== undefined) service.client.setDefaultRequest('baseUrl', config.baseUrl)
  service.client.setDefaultRequest('timeout', config.timeoutMs ?? defaultSendgridTimeoutMs)
  service.client.setDefaultRequest('signal', context.signal)
  try {
    if (context.signal.aborted) throw context.signal.reason
    return await call(service)
  } catch (error) {
    throw sendgridError(error, context)
  }
}
