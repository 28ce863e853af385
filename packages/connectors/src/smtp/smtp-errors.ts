import { ConnectorError, type ConnectorFailureReason } from '@tessera/core'

/** The fields of Nodemailer's errors that the mapping reads. */
interface NodemailerErrorFields {
  code?: unknown
  responseCode?: unknown
  permanent?: unknown
  message?: unknown
  command?: unknown
}

/**
 * Maps a Nodemailer error to a {@link ConnectorError}: a rejected login (`EAUTH`) →
 * `unauthorized`; connection failures (`ECONNECTION`, `ESOCKET`, `EDNS`, `ETLS`) → `network`;
 * `ETIMEDOUT` → `timeout`; `EABORT` or the caller's signal → `aborted`; recipients or a
 * message the server refused → `invalid-request` when permanent (5xx), else a retryable
 * `remote` (4xx); a garbled answer → `invalid-response`. `status` is the SMTP reply code when
 * there is one.
 *
 * @example
 * ```ts
 * try { await transport.sendMail(mail) } catch (error) { throw smtpError(error, { connector: 'smtp', action: 'send-email', signal }) }
 * ```
 */
export function smtpError(
  error: unknown,
  where: { connector: string; action: string; signal: AbortSignal },
): ConnectorError {
  if (ConnectorError.isInstance(error)) return error
  const fields = (typeof error === 'object' && error !== null ? error : {}) as NodemailerErrorFields
  const code = typeof fields.code === 'string' ? fields.code : undefined
  const responseCode = typeof fields.responseCode === 'number' ? fields.responseCode : undefined
  // Nodemailer's messages quote the server's reply, never the password.
  const detail = typeof fields.message === 'string' ? fields.message : String(error)
  const make = (reason: ConnectorFailureReason, message: string, retryable?: boolean) =>
    new ConnectorError({
      connector: where.connector,
      action: where.action,
      reason,
      message,
      cause: error,
      ...(responseCode === undefined
        ? code === undefined
          ? {}
          : { status: code }
        : { status: responseCode }),
      ...(retryable === undefined ? {} : { retryable }),
    })
  if (code === 'EABORT' || where.signal.aborted)
    return make('aborted', 'the send was aborted by the caller')
  switch (code) {
    case 'EAUTH':
      return make('unauthorized', `the SMTP server rejected the login: ${detail}`)
    case 'ENOAUTH':
    case 'ECONFIG':
    case 'EREQUIRETLS':
      return make('invalid-config', detail)
    case 'ETIMEDOUT':
      return make('timeout', `the SMTP server did not answer in time: ${detail}`)
    case 'ECONNECTION':
    case 'ESOCKET':
    case 'EDNS':
    case 'ETLS':
    case 'EPROXY':
      return make('network', `cannot talk to the SMTP server: ${detail}`)
    case 'EPROTOCOL':
      return make('invalid-response', `the SMTP server answered out of protocol: ${detail}`)
    case 'EMAXRECIPIENTS':
      return make('invalid-request', detail)
    default:
      break
  }
  if (responseCode !== undefined) {
    if (responseCode === 421 || responseCode === 454)
      return make('remote', `the SMTP server is unavailable: ${detail}`, true)
    if (fields.permanent === true || (responseCode >= 500 && responseCode !== 503))
      return make('invalid-request', `the SMTP server refused the message: ${detail}`)
    return make('remote', `the SMTP server deferred the message: ${detail}`, true)
  }
  // closeSmtpTransports() or an eviction closed the pool while the message waited in its queue.
  if (/pool was closed/i.test(detail)) return make('network', `the send was cut off: ${detail}`)
  return make('remote', `the send failed: ${detail}`)
}
