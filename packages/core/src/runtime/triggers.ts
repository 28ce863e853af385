import type { Workflow } from '../builder/workflow'
import { ConflictError } from '../errors/conflict-error'
import { ConnectorError } from '../errors/connector-error'
import { serializeError } from '../errors/error-json'
import { InvalidArgumentError } from '../errors/invalid-argument-error'
import { TesseraError, type SerializedError } from '../errors/tessera-error'
import { checkTrigger } from './trigger-check'
import type { Clock } from '../ports/clock'
import type { Logger } from '../ports/logger'
import type { StoreV1 } from '../ports/store-v1'
import type { TriggerContext, TriggerSubscription, TriggerV1 } from '../ports/trigger-v1'

/**
 * Where a trigger is in its life (see {@link TriggerStatus}).
 *
 * @example
 * ```ts
 * const live = engine.triggers.every((trigger) => trigger.state === 'running')
 * ```
 */
export type TriggerState = 'starting' | 'running' | 'stopped' | 'failed'

/**
 * One trigger as `engine.triggers` lists it.
 *
 * @example
 * ```ts
 * const broken = engine.triggers.filter((trigger) => trigger.state === 'failed')
 * for (const trigger of broken) console.warn(trigger.id, trigger.error?.message)
 * ```
 */
export interface TriggerStatus {
  id: string
  type: string
  workflowId: string
  state: TriggerState
  /** Runs this trigger created in this engine (duplicates, which created none, not counted). */
  runs: number
  /** Epoch ms of the last run it created. */
  lastRunAt?: number
  /** Why its start failed (state `failed`; a trigger from `createEngine` retries with backoff). */
  error?: SerializedError
}

/** What the trigger set needs from its engine. */
export interface TriggerHost {
  start(
    workflow: Workflow,
    input: unknown,
    options: { idempotencyKey: string },
  ): Promise<{ id: string; created: boolean }>
  register(workflow: Workflow): void
  secret(name: string): Promise<string | undefined>
  clock: Clock
  logger: Logger
  store: StoreV1
  workerId: string
}

interface Entry {
  trigger: TriggerV1
  status: TriggerStatus
  controller: AbortController
  subscription?: TriggerSubscription | undefined
  inFlight: Set<Promise<unknown>>
  retryTimer?: unknown
  starting?: Promise<unknown> | undefined
  stopping?: Promise<void> | undefined
}

/** The triggers of one engine: their starts, restarts after a failed start, and stops. */
export interface TriggerSet {
  /** Checks and registers a trigger (its workflow too); ConflictError for a live duplicate id. */
  add(fn: string, trigger: unknown): TriggerV1
  /** Starts it now; rejects with the start's error. */
  start(trigger: TriggerV1): Promise<TriggerSubscription>
  /** Starts it in the background, retrying a failed start with backoff (1s doubling to 1min). */
  launch(trigger: TriggerV1): void
  list(): TriggerStatus[]
  stopAll(): Promise<void>
}

/** Builds the trigger set of an engine. Internal: `createEngine` owns it. */
export function createTriggerSet(host: TriggerHost): TriggerSet {
  const entries = new Map<string, Entry>()

  const add = (fn: string, candidate: unknown): TriggerV1 => {
    const trigger = checkTrigger(fn, candidate)
    const entry = entries.get(trigger.id)
    // From createEngine on an engine that does not start triggers: startTrigger starts it.
    if (entry?.trigger === trigger && entry.starting === undefined) return trigger
    const known = entry?.status.state
    // A stopped trigger's id is free again; a failed one's too when it does not retry.
    if (
      known !== undefined &&
      known !== 'stopped' &&
      (known !== 'failed' || entry!.retryTimer !== undefined)
    ) {
      throw new ConflictError(
        `A trigger with id "${trigger.id}" is already ${known} in this engine; stop it first or give the new one another id`,
      )
    }
    host.register(trigger.workflow)
    entries.set(trigger.id, {
      trigger,
      status: {
        id: trigger.id,
        type: trigger.type,
        workflowId: trigger.workflow.id,
        state: 'starting',
        runs: 0,
      },
      controller: new AbortController(),
      inFlight: new Set(),
    })
    return trigger
  }

  const stop = (entry: Entry): Promise<void> =>
    (entry.stopping ??= (async () => {
      if (entry.retryTimer !== undefined) host.clock.clearTimeout(entry.retryTimer)
      entry.retryTimer = undefined
      entry.controller.abort()
      // A start under way ends first (a trigger stopped while starting releases what it opened).
      await entry.starting?.catch(() => undefined)
      const subscription = entry.subscription
      entry.subscription = undefined
      try {
        await subscription?.stop()
      } catch (error) {
        host.logger.error('Stopping a trigger failed', {
          trigger: entry.trigger.id,
          error: serializeError(error),
        })
      }
      // Runs being created must be committed before the engine closes its store.
      await Promise.allSettled([...entry.inFlight])
      entry.status.state = 'stopped'
      host.logger.info('Trigger stopped', { trigger: entry.trigger.id })
    })())

  const contextFor = (entry: Entry): TriggerContext => {
    const { trigger, controller, status } = entry
    const logger = host.logger.child({ trigger: trigger.id })
    return {
      signal: controller.signal,
      logger,
      clock: host.clock,
      store: host.store,
      workerId: host.workerId,
      secret: (name) => host.secret(name),
      async startRun(input, options) {
        const key = (options as { idempotencyKey?: unknown } | undefined)?.idempotencyKey
        if (typeof key !== 'string' || key === '') {
          throw new InvalidArgumentError({
            fn: `trigger "${trigger.id}" context.startRun`,
            argument: 'options.idempotencyKey',
            expected: 'a non-empty string',
            received: key,
          })
        }
        if (controller.signal.aborted) {
          throw new ConflictError(`Trigger "${trigger.id}" is stopped; it starts no more runs`)
        }
        const pending = host.start(trigger.workflow, input, {
          idempotencyKey: `trigger:${trigger.id}:${key}`,
        })
        entry.inFlight.add(pending)
        try {
          const handle = await pending
          if (handle.created) {
            status.runs++
            status.lastRunAt = host.clock.now()
            logger.info('Trigger started a run', { runId: handle.id })
          } else logger.debug('Trigger event had started a run already', { runId: handle.id })
          return { runId: handle.id, created: handle.created }
        } finally {
          entry.inFlight.delete(pending)
        }
      },
    }
  }

  const begin = (entry: Entry): Promise<TriggerSubscription> => {
    const starting = attemptStart(entry)
    entry.starting = starting
    return starting
  }

  const attemptStart = async (entry: Entry): Promise<TriggerSubscription> => {
    entry.status.state = 'starting'
    let subscription: TriggerSubscription
    try {
      subscription = await entry.trigger.start(contextFor(entry))
    } catch (cause) {
      const error = TesseraError.isInstance(cause)
        ? cause
        : new ConnectorError({
            connector: `trigger:${entry.trigger.id}`,
            action: 'start',
            reason: 'remote',
            message: cause instanceof Error ? cause.message : String(cause),
            cause,
          })
      if (entry.stopping === undefined) {
        entry.status.state = 'failed'
        entry.status.error = serializeError(error)
      }
      throw error
    }
    if (entry.stopping !== undefined) {
      // Stopped (engine closed) while it was starting: release what it opened.
      await subscription.stop()
      return { stop: () => Promise.resolve() }
    }
    entry.subscription = subscription
    entry.status.state = 'running'
    delete entry.status.error
    host.logger.info('Trigger running', { trigger: entry.trigger.id, type: entry.trigger.type })
    return { stop: () => stop(entry) }
  }

  return {
    add,
    start: (trigger) => begin(entries.get(trigger.id)!),
    launch(trigger) {
      const entry = entries.get(trigger.id)!
      let delayMs = 1000
      const attempt = () => {
        entry.retryTimer = undefined
        begin(entry).catch((error: unknown) => {
          if (entry.stopping !== undefined) return
          host.logger.error('Trigger failed to start; retrying', {
            trigger: trigger.id,
            retryInMs: delayMs,
            error: serializeError(error),
          })
          entry.retryTimer = host.clock.setTimeout(attempt, delayMs)
          ;(entry.retryTimer as { unref?: () => void }).unref?.()
          delayMs = Math.min(delayMs * 2, 60_000)
        })
      }
      attempt()
    },
    list: () => [...entries.values()].map((entry) => ({ ...entry.status })),
    stopAll: async () => {
      await Promise.all([...entries.values()].map(stop))
    },
  }
}
