import { ConnectorError } from '@tessera/core'
import { driverFailure, unreachableErrorCodes, type DriverFailure } from '../driver-failure'

const networkCodes = new Set([...unreachableErrorCodes, 'ETIMEDOUT'])

/**
 * Maps an error of `ioredis` to a {@link ConnectorError}: connection failures → `network`;
 * WRONGPASS/NOAUTH/NOPERM → `unauthorized`; command timeouts → `timeout`; WRONGTYPE and other
 * `ERR …` replies → `invalid-request`; LOADING/BUSY/TRYAGAIN/MASTERDOWN/CLUSTERDOWN/OOM →
 * `remote`, retryable; anything else → `remote`. `status` is the reply's first word.
 *
 * @example
 * ```ts
 * throw redisFailure({ connector: 'redis', action: 'get', error, signal })
 * ```
 */
export function redisFailure(options: Omit<DriverFailure, 'where'>): ConnectorError {
  const { error } = options
  if (ConnectorError.isInstance(error)) return error
  const fail = driverFailure(options)
  if (options.signal?.aborted === true)
    return fail('aborted', 'the caller aborted before Redis answered')
  const message = error instanceof Error ? error.message : String(error)
  const name = error instanceof Error ? error.name : ''
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string' && networkCodes.has(code))
    return fail('network', `cannot reach the Redis server (${code})`, { status: code })
  if (
    name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|Stream isn't writeable|ECONNREFUSED|connect ETIMEDOUT/i.test(message)
  )
    return fail('network', `cannot reach the Redis server (${message})`)
  if (/Command timed out/i.test(message)) return fail('timeout', message)
  const word = /^([A-Z]+)\b/.exec(message)?.[1]
  if (word === undefined) return fail('remote', message)
  const status = word
  if (word === 'WRONGPASS' || word === 'NOAUTH' || word === 'NOPERM')
    return fail('unauthorized', message, { status })
  if (
    ['LOADING', 'BUSY', 'TRYAGAIN', 'MASTERDOWN', 'CLUSTERDOWN', 'OOM', 'READONLY'].includes(word)
  )
    return fail('remote', message, { status, retryable: true })
  if (word === 'ERR' || word === 'WRONGTYPE') return fail('invalid-request', message, { status })
  return fail('remote', message, { status })
}
