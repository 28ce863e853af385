import type { Workflow } from '../builder/workflow'
import type { Clock } from './clock'
import type { Logger } from './logger'
import type { StoreV1 } from './store-v1'

/** Options of {@link TriggerContext.startRun}. */
export interface TriggerStartOptions {
  /**
   * Required: the same key always yields the same run, so a message delivered twice, a cron
   * tick seen by two workers or a poll repeated after a crash starts one run. Derive it from
   * the event's own identity (message id, scheduled time, item id), prefixed by nothing: the
   * engine scopes it to the trigger (`trigger:<id>:<key>`).
   */
  idempotencyKey: string
}

/** What {@link TriggerContext.startRun} returns once the run is durably recorded. */
export interface TriggerStartResult {
  runId: string
  /** False when a run with this idempotency key already existed (a duplicate delivery). */
  created: boolean
}

/**
 * What a trigger receives from the engine when it starts listening.
 */
export interface TriggerContext {
  /**
   * Starts a run of the trigger's workflow with `input`. Resolves only once the run is
   * committed to the store, so a consumer acknowledges its message after this resolves, never
   * before. Rejects with a `ValidationError` when `input` fails the workflow's input schema
   * (the message is bad: dead-letter it, do not redeliver it forever).
   */
  startRun(input: unknown, options: TriggerStartOptions): Promise<TriggerStartResult>
  /** Aborted when the trigger is stopped or the engine closes. */
  signal: AbortSignal
  /** A logger bound to `{ trigger: id }`. */
  logger: Logger
  clock: Clock
  /**
   * The engine's store. Triggers that keep state (a poll cursor, the last cron tick) use its
   * keyed records (`store.capabilities.records`), compare-and-set, so several workers share it.
   */
  store: StoreV1
  /** This worker's id, unique among the processes that share the store. */
  workerId: string
  /** Resolves a secret through the engine's secrets provider (undefined when missing). */
  secret(name: string): Promise<string | undefined>
}

/** A started trigger. */
export interface TriggerSubscription {
  /** Stops listening, lets in-flight `startRun` calls finish, and releases connections. */
  stop(): Promise<void>
}

/**
 * The trigger port, version 1: something that starts runs of one workflow when an event
 * happens: a cron schedule, a message on a queue, a new item behind a polled API, an inbound
 * webhook. `createEngine({ triggers })` starts triggers with the worker and stops them on
 * `engine.close()`; `engine.startTrigger(trigger)` starts one later.
 *
 * @example
 * ```ts
 * const nightly = cronTrigger({ id: 'nightly-report', schedule: '0 2 * * *', timezone: 'Europe/Berlin', workflow: report })
 * const engine = createEngine({ store, triggers: [nightly] })
 * ```
 */
export interface TriggerV1 {
  readonly specificationVersion: 'v1'
  readonly kind: 'trigger'
  /** `cron`, `consumer`, `poll` or `webhook`; other strings for triggers of other kinds. */
  readonly type: 'cron' | 'consumer' | 'poll' | 'webhook' | (string & {})
  /** Unique per engine; part of every run's idempotency key, so keep it stable across deploys. */
  readonly id: string
  readonly description?: string | undefined
  /** The workflow it starts. */
  readonly workflow: Workflow
  /** Begins listening; resolves once it listens (connected, subscribed). */
  start(context: TriggerContext): Promise<TriggerSubscription>
}
