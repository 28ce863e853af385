import { TesseraError } from './tessera-error'

/** Why a connector call failed. */
export type ConnectorFailureReason =
  /** The remote system could not be reached, or the connection broke. Retryable. */
  | 'network'
  /** The call took longer than its configured timeout. Retryable. */
  | 'timeout'
  /** The caller's signal aborted the call (the run was cancelled, or the step timed out). */
  | 'aborted'
  /** The request could not be built from the action's input and configuration. */
  | 'invalid-request'
  /** The remote system answered with something the connector cannot read. */
  | 'invalid-response'
  /** The configuration is wrong: a missing secret, a value of the wrong type or shape. */
  | 'invalid-config'
  /** The remote system rejected the credentials (HTTP 401/403 or the protocol's equivalent). */
  | 'unauthorized'
  /** The thing the action addresses does not exist (HTTP 404, an unknown channel, a missing key). */
  | 'not-found'
  /** The remote system asks to slow down (HTTP 429). Retryable, after `retryAfterMs` when known. */
  | 'rate-limited'
  /** The remote system reported an error of its own (HTTP 5xx, an API error code). */
  | 'remote'

const retryableByDefault: ReadonlySet<ConnectorFailureReason> = new Set([
  'network',
  'timeout',
  'rate-limited',
])

/**
 * A connector action failed to talk to its external system. `code` is always
 * `connector_error`; `reason` says why, and decides `retryable` (network failures, timeouts
 * and rate limits are; the rest are not, unless `retryable` says otherwise, as for an HTTP 503).
 *
 * @example
 * ```ts
 * try {
 *   await slack.actions['send-message'].run(context)
 * } catch (error) {
 *   if (ConnectorError.isInstance(error) && error.reason === 'rate-limited') wait(error.retryAfterMs)
 * }
 * ```
 */
export class ConnectorError extends TesseraError {
  /** The connector's id, such as `http`. */
  readonly connector: string
  /** The action that failed, such as `request` (`check` for a configuration check). */
  readonly action: string
  readonly reason: ConnectorFailureReason
  /** The remote status or error code (an HTTP status, a driver's error code), when there is one. */
  readonly status: number | string | undefined
  /** When a retry may succeed, in milliseconds from now (from `Retry-After` and the like). */
  readonly retryAfterMs: number | undefined

  constructor(options: {
    connector: string
    action: string
    reason: ConnectorFailureReason
    message: string
    cause?: unknown
    status?: number | string
    retryAfterMs?: number
    /** Overrides the reason's default (see the class description). */
    retryable?: boolean
  }) {
    super('connector_error', `${options.connector}.${options.action}: ${options.message}`, {
      cause: options.cause,
      retryable: options.retryable ?? retryableByDefault.has(options.reason),
    })
    this.name = 'ConnectorError'
    this.connector = options.connector
    this.action = options.action
    this.reason = options.reason
    this.status = options.status
    this.retryAfterMs =
      options.retryAfterMs === undefined ? undefined : Math.max(0, Math.ceil(options.retryAfterMs))
  }

  /** True for a {@link ConnectorError}, even one from another copy of the package. */
  static override isInstance(value: unknown): value is ConnectorError {
    return TesseraError.isInstance(value) && value.code === 'connector_error'
  }

  override details() {
    return {
      connector: this.connector,
      action: this.action,
      reason: this.reason,
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
    }
  }
}
