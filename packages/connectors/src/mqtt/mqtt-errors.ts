import { ConnectorError } from '@tessera/core'

/**
 * Maps an mqtt.js failure to a {@link ConnectorError}: CONNACK/PUBACK reason codes 0x86
 * (bad user name or password), 0x87 (not authorized) and MQTT 3 return codes 4/5 are
 * `unauthorized`; refused or broken connections `network`; 0x97 (quota exceeded) `rate-limited`;
 * other reason codes `remote`. The message never holds the password.
 *
 * @example
 * ```ts
 * throw mqttError(error, 'mqtt', 'publish', 'publishing on "sensors/1"')
 * ```
 */
export function mqttError(
  error: unknown,
  connector: string,
  action: string,
  where: string,
): ConnectorError {
  if (ConnectorError.isInstance(error)) return error
  const code = (error as { code?: unknown } | undefined)?.code
  const message = error instanceof Error ? error.message : String(error)
  const make = (reason: ConnectorError['reason'], text: string) =>
    new ConnectorError({
      connector,
      action,
      reason,
      message: `${where}: ${text}`,
      cause: error,
      ...(typeof code === 'number' || typeof code === 'string' ? { status: code } : {}),
    })
  if (
    code === 134 ||
    code === 135 ||
    code === 4 ||
    code === 5 ||
    /not authori[sz]ed|bad user/i.test(message)
  )
    return make('unauthorized', 'the broker refused the credentials or the permission')
  if (code === 151) return make('rate-limited', 'the broker reports its quota exceeded')
  if (
    (typeof code === 'string' && /^E[A-Z]+$/.test(code)) ||
    /ECONNREFUSED|ECONNRESET|connection closed|client disconnecting|socket/i.test(message)
  )
    return make('network', `the broker is unreachable or the connection broke (${message})`)
  return make('remote', message)
}
