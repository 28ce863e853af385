import { InvalidArgumentError } from '../errors/invalid-argument-error'
import { serializeError } from '../errors/error-json'
import { createInProcessQueue } from '../memory/in-process-queue'
import { systemClock, type Clock } from '../ports/clock'
import type { Logger } from '../ports/logger'
import type { QueueConsumer, QueueHandler, QueueMessage, QueueV1 } from '../ports/queue-v1'
import type { StoreV1 } from '../ports/store-v1'
import { parseDuration, type Duration } from '../runtime/duration'
import { noopLogger } from '../telemetry/noop-logger'

/** Options of {@link createStoreTransport}. */
export interface StoreTransportOptions {
  /** How often an idle worker asks the store for work. Default 100 ms. */
  pollInterval?: Duration
  /** Most tasks claimed per poll. Default 32. */
  batch?: number
  clock?: Clock
  logger?: Logger
}

/**
 * A transport made of the store itself: worker processes that share one database share the
 * work, with no broker. Tasks published in this process are delivered here at once (as with the
 * in-process queue); every worker also polls the store (`StoreV1.claimNext`, e.g.
 * `FOR UPDATE SKIP LOCKED`) for tasks created or freed elsewhere: other processes' runs,
 * resolved waits, fired timers, tasks of a crashed worker whose lease ran out. The engine uses
 * it by default when the store declares `capabilities.transport`.
 *
 * @example
 * ```ts
 * const store = createPostgresStore({ connectionString })
 * const engine = createEngine({ store, queue: createStoreTransport(store, { pollInterval: '50ms' }) })
 * ```
 */
export function createStoreTransport(store: StoreV1, options: StoreTransportOptions = {}): QueueV1 {
  if (!store?.capabilities?.transport || typeof store.claimNext !== 'function') {
    throw new InvalidArgumentError({
      fn: 'createStoreTransport',
      argument: 'store',
      expected:
        'a store with capabilities.transport and claimNext() (PostgreSQL, MySQL, Redis, SQLite file)',
      received: store,
    })
  }
  const clock = options.clock ?? systemClock
  const logger = options.logger ?? noopLogger
  const pollMs = parseDuration(options.pollInterval ?? 100, 'createStoreTransport.pollInterval')
  const batch = options.batch ?? 32
  if (!Number.isInteger(batch) || batch < 1 || batch > 1000) {
    throw new InvalidArgumentError({
      fn: 'createStoreTransport',
      argument: 'batch',
      expected: 'an integer from 1 to 1000',
      received: options.batch,
    })
  }
  const local = createInProcessQueue({ clock })
  const pollers = new Set<Poller>()

  interface Poller {
    stopped: boolean
    active: number
    /** Local deliveries in progress (or handed a slot): they take slots from the same budget. */
    local: number
    /** Local deliveries waiting for a slot, oldest first; each is handed one when it frees. */
    waiting: (() => void)[]
    timer: unknown
    polling: boolean
    idle: (() => void)[]
  }

  const startPoller = (
    handler: QueueHandler,
    concurrency: number,
    workerId: string,
    leaseMs: number,
  ): Poller => {
    const poller: Poller = {
      stopped: false,
      active: 0,
      local: 0,
      waiting: [],
      timer: undefined,
      polling: false,
      idle: [],
    }
    const settle = () => {
      poller.active--
      handOff(poller, concurrency)
      if (poller.active === 0) for (const resolve of poller.idle.splice(0)) resolve()
      if (!poller.polling && poller.timer === undefined) wake()
    }
    const wake = () => {
      if (poller.stopped) return
      if (poller.timer !== undefined) {
        clock.clearTimeout(poller.timer)
        poller.timer = undefined
      }
      void poll()
    }
    const later = () => {
      if (poller.stopped) return
      poller.timer = clock.setTimeout(() => {
        poller.timer = undefined
        void poll()
      }, pollMs)
      ;(poller.timer as { unref?: () => void }).unref?.()
    }
    const poll = async () => {
      if (poller.polling || poller.stopped) return
      // One budget for both paths: the poller takes only what local deliveries leave free.
      // Local deliveries waiting for a slot come first.
      const free = concurrency - poller.active - poller.local - poller.waiting.length
      if (free <= 0) {
        // Full: a polled task's settle() polls again; local deliveries do not, so look later.
        if (poller.active === 0 && poller.timer === undefined) later()
        return
      }
      poller.polling = true
      const limit = Math.min(free, batch)
      let claimed: Awaited<ReturnType<NonNullable<StoreV1['claimNext']>>> = []
      try {
        claimed = await store.claimNext!({ owner: workerId, leaseMs, now: clock.now(), limit })
      } catch (error) {
        logger.warn('Polling the store for tasks failed; trying again', {
          error: serializeError(error),
        })
      } finally {
        poller.polling = false
      }
      if (poller.stopped) return
      for (const task of claimed) {
        poller.active++
        let settled: Promise<void> | void
        try {
          settled = handler({
            taskId: task.id,
            runId: task.runId,
            availableAt: task.availableAt,
            claimed: task,
          })
        } catch {
          // The task stays leased until its lease runs out; then any worker takes it again.
          settled = undefined
        }
        if (settled === undefined) settle()
        else settled.then(settle, settle)
      }
      // A full batch: there may be more. Otherwise wait for the next tick (or a free slot).
      if (claimed.length === limit) void Promise.resolve().then(wake)
      else if (poller.timer === undefined) later()
    }
    void poll()
    return poller
  }

  /** Gives free slots to local deliveries that wait for one, oldest first. */
  const handOff = (poller: Poller, concurrency: number) => {
    while (poller.waiting.length > 0 && poller.active + poller.local < concurrency) {
      poller.local++
      poller.waiting.shift()!()
    }
  }

  return {
    specificationVersion: 'v1',
    provider: `store:${store.provider}`,
    capabilities: { persistent: true, delayed: true, shared: true },
    publish(messages) {
      return local.publish(messages)
    },
    consume(handler, { concurrency, workerId, leaseMs }): QueueConsumer {
      if (workerId === undefined || leaseMs === undefined) {
        throw new InvalidArgumentError({
          fn: 'storeTransport.consume',
          argument: 'options',
          expected: '{ concurrency, workerId, leaseMs } (the engine passes them)',
          received: { concurrency, workerId, leaseMs },
        })
      }
      const poller = startPoller(handler, concurrency, workerId, leaseMs)
      // Local deliveries are counted, so that the poller claims only into free slots (the
      // in-process queue bounds them by `concurrency` on its own).
      // The in-process queue bounds local deliveries alone; a delivery that finds the shared
      // budget taken by polled tasks waits for a slot instead of running beside them.
      const localDone = () => {
        poller.local--
        handOff(poller, concurrency)
      }
      const deliver = (message: QueueMessage): Promise<void> | void => {
        let settled: Promise<void> | void
        try {
          settled = handler(message)
        } catch (error) {
          localDone()
          throw error
        }
        if (settled === undefined) {
          localDone()
          return undefined
        }
        return settled.finally(localDone)
      }
      const consumer = local.consume(
        (message) => {
          if (poller.active + poller.local < concurrency) {
            poller.local++
            return deliver(message)
          }
          // handOff reserves the slot (poller.local++) before it wakes the delivery.
          return new Promise<void>((resolve) => poller.waiting.push(resolve)).then(() =>
            deliver(message),
          )
        },
        { concurrency },
      )
      pollers.add(poller)
      return {
        async stop() {
          poller.stopped = true
          if (poller.timer !== undefined) clock.clearTimeout(poller.timer)
          pollers.delete(poller)
          await consumer.stop()
          if (poller.active > 0) await new Promise<void>((resolve) => poller.idle.push(resolve))
        },
      }
    },
    async close() {
      for (const poller of pollers) {
        poller.stopped = true
        if (poller.timer !== undefined) clock.clearTimeout(poller.timer)
      }
      await local.close()
      await Promise.all(
        [...pollers].map((poller) =>
          poller.active > 0 ? new Promise<void>((resolve) => poller.idle.push(resolve)) : undefined,
        ),
      )
      pollers.clear()
    },
  }
}
