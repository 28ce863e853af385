/**
 * A message on the queue: a pointer to a task in the store. `task` may carry the whole task as
 * an optimisation for in-process transports; consumers must still claim it from the store.
 */
export interface QueueMessage {
  taskId: string
  runId: string
  /** Epoch ms; the transport must not deliver the message before it. */
  availableAt: number
  /**
   * A task the transport has already claimed for the consuming worker (a store transport claims
   * through `StoreV1.claimNext`): the engine runs it as claimed instead of claiming it again.
   */
  claimed?: import('./store-v1').TaskRecord
}

/**
 * Handles one delivered message. Returning (or resolving) acknowledges it; throwing (or
 * rejecting) asks for redelivery. A handler may finish synchronously.
 */
export type QueueHandler = (message: QueueMessage) => Promise<void> | void

/** How a worker consumes. */
export interface QueueConsumeOptions {
  /** At most this many handlers in progress at once. */
  concurrency: number
  /** The consuming worker's id: a store transport claims tasks in its name. */
  workerId?: string
  /** How long a task claimed by the transport stays leased (a store transport needs it). */
  leaseMs?: number
}

/** A running consumer. */
export interface QueueConsumer {
  /** Stops taking new messages and waits for the handlers in progress. */
  stop(): Promise<void>
}

/** What a queue transport can do. */
export interface QueueCapabilities {
  /** Messages survive a process restart. */
  persistent: boolean
  /** `availableAt` in the future is honoured by the transport itself. */
  delayed: boolean
  /** Several processes may consume one queue, each message going to one of them. */
  shared: boolean
}

/**
 * The transport port, version 1: it moves task pointers from the process that creates them to a
 * worker that executes them. Delivery is at-least-once; the store's fences make duplicates
 * harmless.
 *
 * @example
 * ```ts
 * const engine = createEngine({ queue: createInProcessQueue(), worker: { concurrency: 16 } })
 * ```
 */
export interface QueueV1 {
  readonly specificationVersion: 'v1'
  readonly provider: string
  readonly capabilities: QueueCapabilities
  /** Sends messages; may return synchronously for in-process transports. */
  publish(messages: QueueMessage[]): Promise<void> | void
  /** Starts delivering messages to `handler`, at most `concurrency` at a time. */
  consume(handler: QueueHandler, options: QueueConsumeOptions): QueueConsumer
  /** Stops all consumers and releases connections. */
  close(): Promise<void>
}
