import { TesseraError } from '@tessera/core'

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

/**
 * A connector action failed to talk to its external system. `code` is always
 * `connector_error`; `reason` says why, and decides `retryable` (network failures and
 * timeouts are; the rest are not).
 *
 * @example
 * ```ts
 * try {
 *   await httpConnector.actions.request.run(context)
 * } catch (error) {
 *   if (ConnectorError.isInstance(error) && error.reason === 'timeout') scheduleRetry()
 * }
 * ```
 */
export class ConnectorError extends TesseraError {
  /** The connector's id, such as `http`. */
  readonly connector: string
  /** The action that failed, such as `request`. */
  readonly action: string
  readonly reason: ConnectorFailureReason

  constructor(options: {
    connector: string
    action: string
    reason: ConnectorFailureReason
    message: string
    cause?: unknown
  }) {
    super('connector_error', `${options.connector}.${options.action}: ${options.message}`, {
      cause: options.cause,
      retryable: options.reason === 'network' || options.reason === 'timeout',
    })
    this.name = 'ConnectorError'
    this.connector = options.connector
    this.action = options.action
    this.reason = options.reason
  }

  /** True for a {@link ConnectorError}, even one from another copy of the package. */
  static override isInstance(value: unknown): value is ConnectorError {
    return TesseraError.isInstance(value) && value.code === 'connector_error'
  }

  override details() {
    return { connector: this.connector, action: this.action, reason: this.reason }
  }
}
