import { ConnectorError } from '@tessera/core'

function errorChain(error: unknown): Error[] {
  const chain: Error[] = []
  let current: unknown = error
  while (current instanceof Error && chain.length < 5) {
    chain.push(current)
    current = current.cause
  }
  return chain
}

/**
 * Maps a nats.js failure to a {@link ConnectorError} by the error's class name (the SDK's error
 * classes are not shared between copies of the package): authorization and permission errors
 * are `unauthorized`, no responders `not-found` (nobody listens on the subject, or no stream
 * captures it), timeouts `timeout`, connection errors `network`, JetStream API errors `remote`
 * (`not-found` for an unknown stream or consumer).
 *
 * @example
 * ```ts
 * throw natsError(error, 'nats', 'request', 'request on "orders.price"')
 * ```
 */
export function natsError(
  error: unknown,
  connector: string,
  action: string,
  where: string,
): ConnectorError {
  if (ConnectorError.isInstance(error)) return error
  const chain = errorChain(error)
  const names = chain.map((item) => item.name)
  const message = chain[0]?.message ?? String(error)
  const make = (
    reason: ConnectorError['reason'],
    text: string,
    status?: number | string,
  ): ConnectorError =>
    new ConnectorError({
      connector,
      action,
      reason,
      message: `${where}: ${text}`,
      cause: error,
      ...(status !== undefined ? { status } : {}),
    })
  if (
    names.some((name) =>
      /AuthorizationError|PermissionViolationError|UserAuthenticationExpiredError/.test(name),
    ) ||
    /authorization violation|authentication/i.test(message)
  )
    return make('unauthorized', 'the server refused the credentials or the permission')
  if (
    names.includes('NoRespondersError') ||
    names.includes('JetStreamNotEnabled') ||
    chain.some((item) => /no responders/i.test(item.message))
  )
    return make('not-found', 'no responder or stream listens on the subject', 503)
  // JetStreamApiError and its subclasses (StreamNotFoundError, ConsumerNotFoundError, …).
  const api = chain.find(
    (item) =>
      /JetStreamApiError|NotFoundError$/.test(item.name) ||
      typeof (item as { apiError?: unknown }).apiError === 'function',
  ) as (Error & { code?: number; status?: number }) | undefined
  if (api !== undefined) {
    const code = api.code
    if (api.status === 404 || code === 10059 || code === 10014)
      return make('not-found', api.message, code)
    return make('remote', api.message, code)
  }
  if (names.includes('TimeoutError') || /timeout/i.test(message))
    return make('timeout', 'the server did not answer in time')
  if (
    names.some((name) =>
      /ConnectionError|ClosedConnectionError|DrainingConnectionError/.test(name),
    ) ||
    /ECONNREFUSED|ECONNRESET|connection|closed/i.test(message)
  )
    return make('network', `the server is unreachable or the connection closed (${message})`)
  return make('remote', message)
}
