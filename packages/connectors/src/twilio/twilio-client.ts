import { ConnectorError } from '@tessera/core'
import type { Twilio } from 'twilio'
import type { ResolvedTwilioConfig } from './twilio-connector-config'
import { twilioError } from './twilio-errors'
import { TwilioFetchClient } from './twilio-http-client'
import { createSdkLoader } from '../load-sdk'

/** The default per-request timeout of the Twilio connector, in milliseconds. */
export const defaultTwilioTimeoutMs = 30_000

type TwilioFactory = (accountSid: string, authToken: string, options: object) => Twilio

const loadTwilio = createSdkLoader(
  // CommonJS: the factory is the module itself (the default export under ESM).
  () =>
    import('twilio').then((loaded) => {
      const module = loaded as unknown as TwilioFactory & { default?: TwilioFactory }
      return typeof module.default === 'function' ? module.default : module
    }),
  'twilio',
  'Twilio',
)

/**
 * Calls Twilio through the `twilio` SDK with a {@link TwilioFetchClient} made for this call (the
 * step's signal, the timeout, the base URL), and maps failures to `ConnectorError`s. The SDK
 * client is light and the fetch pool is shared, so nothing stays open to close.
 *
 * @example
 * ```ts
 * const message = await callTwilio(config, { connector: 'twilio', action: 'send-sms', signal }, (client) => client.messages.create(params))
 * ```
 */
export async function callTwilio<T>(
  config: ResolvedTwilioConfig,
  context: {
    connector: string
    action: string
    signal: AbortSignal
    fetch?: typeof globalThis.fetch | undefined
  },
  call: (client: Twilio) => Promise<T>,
): Promise<T> {
  const twilio = await loadTwilio(context.connector, context.action)
  const httpClient = new TwilioFetchClient({
    connector: context.connector,
    action: context.action,
    signal: context.signal,
    timeoutMs: config.timeoutMs ?? defaultTwilioTimeoutMs,
    baseUrl: config.baseUrl,
    fetch: context.fetch,
  })
  try {
    if (context.signal.aborted) throw context.signal.reason
    const client = twilio(config.accountSid, config.authToken, { httpClient })
    return await call(client)
  } catch (error) {
    if (context.signal.aborted && !ConnectorError.isInstance(error))
      throw new ConnectorError({
        connector: context.connector,
        action: context.action,
        reason: 'aborted',
        message: 'the call was aborted by the caller',
        cause: error,
      })
    throw twilioError(error, { ...context, retryAfterMs: httpClient.retryAfterMs })
  }
}
