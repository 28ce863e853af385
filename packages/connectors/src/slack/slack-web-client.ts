import { ConnectorError, type Logger } from '@tessera/core'
import type { FetchFunction, Logger as SlackLogger, LogLevel, WebClient } from '@slack/web-api'
import { createSdkLoader } from '../load-sdk'
import { slackError } from './slack-errors'

/** The Slack configuration an action receives (the token resolved). */
export interface ResolvedSlackConfig {
  token: string
  baseUrl?: string | undefined
  timeoutMs?: number | undefined
}

/** What {@link callSlack} needs besides the configuration. */
export interface SlackCallContext {
  connector: string
  action: string
  signal: AbortSignal
  logger: Logger
  /** Default: the global `fetch`, looked up at every call. */
  fetch?: typeof globalThis.fetch | undefined
}

/** The default per-call timeout of the Slack connector, in milliseconds. */
export const defaultSlackTimeoutMs = 30_000

type SlackModule = typeof import('@slack/web-api')

const loadSlack = createSdkLoader(
  // The SDK is CommonJS: Node names its exports, some bundlers only give a default export.
  () =>
    import('@slack/web-api').then((loaded) =>
      'WebClient' in loaded ? loaded : (loaded as unknown as { default: SlackModule }).default,
    ),
  '@slack/web-api',
  'Slack',
)

/**
 * Calls the Slack Web API through `@slack/web-api`'s `WebClient`, with the SDK's own retries off
 * (the engine retries the step) and rate-limited calls rejected at once, and maps every failure
 * to a `ConnectorError`. The client's `fetch` carries the step's signal and the timeout, so an
 * abort really ends the HTTP request. A `WebClient` holds no sockets (the global fetch pools
 * them), so one is made per call, bound to that call's signal.
 *
 * @example
 * ```ts
 * const result = await callSlack(config, context, (client) => client.auth.test())
 * ```
 */
export async function callSlack<T>(
  config: ResolvedSlackConfig,
  context: SlackCallContext,
  call: (client: WebClient) => Promise<T>,
): Promise<T> {
  const { WebClient, LogLevel } = await loadSlack(context.connector, context.action)
  const timeout = AbortSignal.timeout(config.timeoutMs ?? defaultSlackTimeoutMs)
  const signal = AbortSignal.any([context.signal, timeout])
  const fetchImpl = context.fetch ?? globalThis.fetch
  const client = new WebClient(config.token, {
    ...(config.baseUrl === undefined ? {} : { slackApiUrl: config.baseUrl }),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    allowAbsoluteUrls: false,
    logger: slackLogger(context.logger, LogLevel.ERROR),
    fetch: boundFetch(fetchImpl, signal),
  })
  let onAbort: (() => void) | undefined
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
  })
  aborted.catch(() => undefined)
  try {
    if (signal.aborted) throw signal.reason
    return await Promise.race([call(client), aborted])
  } catch (error) {
    throw slackError(error, { ...context, timeout })
  } finally {
    signal.removeEventListener('abort', onAbort!)
  }
}

/** A fetch for the SDK whose requests end when `signal` aborts. */
function boundFetch(fetchImpl: typeof globalThis.fetch, signal: AbortSignal): FetchFunction {
  return (url, init) =>
    // A WHATWG Response is the SDK's FetchResponse (its lib typing lacks Headers#entries).
    fetchImpl(url, {
      ...init,
      signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal,
    }) as unknown as ReturnType<FetchFunction>
}

/** The SDK's logger interface, forwarding warnings and errors to the step's logger. */
function slackLogger(logger: Logger, initial: LogLevel): SlackLogger {
  let level = initial
  let name = 'slack'
  const line = (messages: unknown[]) => `${name}: ${messages.map(String).join(' ')}`
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (...messages: unknown[]) => logger.warn(line(messages)),
    error: (...messages: unknown[]) => logger.error(line(messages)),
    setLevel: (next: LogLevel) => void (level = next),
    getLevel: () => level,
    setName: (next: string) => void (name = next),
  }
}

/**
 * A string field of a Slack answer, or a `ConnectorError` (reason `invalid-response`) naming
 * the missing field.
 *
 * @example
 * ```ts
 * const ts = slackField(result, 'ts', 'slack', 'send-message')
 * ```
 */
export function slackField(
  result: object,
  field: string,
  connector: string,
  action: string,
): string {
  const value = (result as Record<string, unknown>)[field]
  if (typeof value === 'string' && value !== '') return value
  throw new ConnectorError({
    connector,
    action,
    reason: 'invalid-response',
    message: `Slack answered ok without a string "${field}" (got ${value === undefined ? 'nothing' : typeof value})`,
  })
}
