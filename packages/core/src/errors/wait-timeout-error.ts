import { TesseraError } from './tessera-error'

/**
 * A wait (`.waitForEvent()` or `.approval()`) reached its `timeout` before the event or the
 * decision arrived. The run fails with it; it is not retried (waiting again would need a new
 * deadline: model that with a loop, or catch it in a branch before the wait times out).
 *
 * @example
 * ```ts
 * .waitForEvent('payment.received', { timeout: '24h' }) // fails the run with WaitTimeoutError after 24h
 * ```
 */
export class WaitTimeoutError extends TesseraError {
  readonly nodeId: string
  readonly kind: 'event' | 'approval'
  /** The event name or approval id waited for. */
  readonly waitFor: string
  constructor(options: { nodeId: string; kind: 'event' | 'approval'; waitFor: string }) {
    super(
      'wait_timeout',
      options.kind === 'event'
        ? `Node "${options.nodeId}" timed out waiting for event "${options.waitFor}"`
        : `Node "${options.nodeId}" timed out waiting for approval "${options.waitFor}"`,
      { retryable: false },
    )
    this.name = 'WaitTimeoutError'
    this.nodeId = options.nodeId
    this.kind = options.kind
    this.waitFor = options.waitFor
  }
  static override isInstance(value: unknown): value is WaitTimeoutError {
    return TesseraError.isInstance(value) && value.code === 'wait_timeout'
  }
  override details() {
    return { nodeId: this.nodeId, kind: this.kind, waitFor: this.waitFor }
  }
}
