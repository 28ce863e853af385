import { ConnectorError } from '@tessera/core'

/**
 * Maps an amqplib failure to a {@link ConnectorError}: refused or broken connections are
 * `network`, a 403 ACCESS-REFUSED is `unauthorized`, a 404 NOT-FOUND (no such exchange or
 * queue) is `not-found`, other channel or connection closes are `remote`. The message never
 * holds the URL (it carries the password).
 *
 * @example
 * ```ts
 * throw rabbitmqError(error, 'rabbitmq', 'publish', 'publishing to exchange "orders"')
 * ```
 */
export function rabbitmqError(
  error: unknown,
  connector: string,
  action: string,
  where: string,
): ConnectorError {
  if (ConnectorError.isInstance(error)) return error
  const code = (error as { code?: unknown } | undefined)?.code
  const message = error instanceof Error ? error.message : String(error)
  const safe = message.replace(/amqps?:\/\/[^\s"']*/gi, 'amqp://…')
  if (code === 403 || /ACCESS[-_]REFUSED|\b403\b/.test(message))
    return new ConnectorError({
      connector,
      action,
      reason: 'unauthorized',
      message: `${where}: the broker refused the credentials or the permission (${safe})`,
      status: 403,
      cause: error,
    })
  if (code === 404 || /NOT[-_]FOUND/.test(message))
    return new ConnectorError({
      connector,
      action,
      reason: 'not-found',
      message: `${where}: ${safe}`,
      status: 404,
      cause: error,
    })
  if (
    typeof code === 'string' &&
    /^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENOTFOUND|ETIMEDOUT|EPIPE|EAI_AGAIN)$/.test(code)
  )
    return new ConnectorError({
      connector,
      action,
      reason: 'network',
      message: `${where}: the broker is unreachable (${code})`,
      status: code,
      cause: error,
    })
  if (/closed|socket|connection/i.test(message))
    return new ConnectorError({
      connector,
      action,
      reason: 'network',
      message: `${where}: ${safe}`,
      ...(typeof code === 'number' || typeof code === 'string' ? { status: code } : {}),
      cause: error,
    })
  return new ConnectorError({
    connector,
    action,
    reason: 'remote',
    message: `${where}: ${safe}`,
    ...(typeof code === 'number' || typeof code === 'string' ? { status: code } : {}),
    cause: error,
  })
}
