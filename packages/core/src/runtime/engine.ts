import EventEmitter from 'eventemitter3'
import type { Step } from '../builder/step'
import { assertId } from '../builder/step'
import { workflowFromDefinition } from '../builder/workflow-from-definition'
import type { AnyRunnable, InputOf, OutputOf, Workflow } from '../builder/workflow'
import { ConflictError } from '../errors/conflict-error'
import { EngineClosedError } from '../errors/engine-closed-error'
import { serializeError } from '../errors/error-json'
import { InvalidArgumentError } from '../errors/invalid-argument-error'
import { NotFoundError } from '../errors/not-found-error'
import { RunCancelledError } from '../errors/run-cancelled-error'
import { createInProcessQueue } from '../memory/in-process-queue'
import { createStoreTransport } from '../transport/store-transport'
import { createMemoryStore } from '../memory/memory-store'
import type { AgentV1 } from '../ports/agent-v1'
import { randomId, systemClock, type Clock, type IdGenerator } from '../ports/clock'
import type { ConnectorV1 } from '../ports/connector-v1'
import type { Logger } from '../ports/logger'
import type { Tracer } from '../ports/tracer'
import type { TriggerSubscription, TriggerV1 } from '../ports/trigger-v1'
import type { QueueV1, QueueConsumer } from '../ports/queue-v1'
import {
  type EventRecord,
  type WaitResolution,
  type ListRunsQuery,
  type RunPage,
  type RunRecord,
  type StoreV1,
  type TaskRecord,
} from '../ports/store-v1'
import type { Plugin } from '../registry/plugin'
import { createRegistry, type Registry } from '../registry/registry'
import { noopLogger } from '../telemetry/noop-logger'
import { type Effects } from './decider'
import { parseDuration, type Duration } from './duration'
import type { EngineEventMap, EngineEventName, RunStartEvent } from './events'
import { compilePlan, type ExecutionPlan } from './plan'
import type { PreflightOptions, PreflightResult } from './preflight'
import { secretLookup } from './secret-refs'
import type { SecretsProviderV1 } from '../ports/secrets-provider-v1'
import { normalizeRetry, type RetryOptions } from './retry-policy'
import { RunHandle } from './run-handle'
import { createCommitPipeline } from './commit-pipeline'
import { assertListener, assertRunId } from './event-arguments'
import type { EngineCore } from './engine-core'
import { createRunTracker } from './run-tracker'
import { createStepPipeline } from './step-pipeline'
import type { StoredDefinitions, StoredDefinitionsOptions } from './stored-definitions'
import { checkTrigger } from './trigger-check'
import type { TriggerSet, TriggerStatus } from './triggers'
import { validateWith } from './validate'

/** What `createEngine` takes. Every option has a default. */
export interface EngineOptions {
  /** Where runs, steps and tasks are recorded. Default: `createMemoryStore()`. */
  store?: StoreV1
  /** How tasks travel to workers. Default: `createInProcessQueue()`. */
  queue?: QueueV1
  plugins?: readonly Plugin[]
  /** Workflows to register up front (any workflow is also registered on first `start`). */
  workflows?: readonly Workflow[]
  /** Default: a logger that drops everything. See `pinoLogger()` and `consoleLogger()`. */
  logger?: Logger
  /**
   * Opens a span per run and per step attempt. Default: none (no spans, and OpenTelemetry is
   * never loaded). `openTelemetryTracer()` from `@tessera/core/opentelemetry` reports to
   * OpenTelemetry.
   */
  tracer?: Tracer
  clock?: Clock
  idGenerator?: IdGenerator
  /** Execute steps in this process (default), or `false` to only start and observe runs. */
  worker?: false | { concurrency?: number; id?: string }
  /** Fallbacks for steps and workflows that set none. */
  defaults?: { retry?: RetryOptions; timeout?: Duration }
  /** How long a claimed task stays leased without a heartbeat. Default 30s. */
  lease?: Duration
  /**
   * Republishes tasks that were lost (a crashed worker, a lost message). On by default when the
   * store is durable or shared; `false` turns it off.
   */
  recovery?: false | { interval?: Duration; olderThan?: Duration }
  /** How often `result()` polls the store for runs executing in other processes. Default 250ms. */
  resultPollInterval?: Duration
  /**
   * With a store that is also the transport (see `createStoreTransport`): how often an idle
   * worker asks the store for work created elsewhere. Default 100ms.
   */
  poll?: Duration
  /**
   * How long `sendEvent` keeps an event that no wait took, for a wait registered later.
   * Default 1h; per event with `sendEvent(…, { ttl })`.
   */
  inboxTtl?: Duration
  /**
   * Deletes ended runs (with their history) by a sweeper, every `interval` (default 1m):
   * those that ended more than `ttl` ago, and those beyond the newest `keepLast` per workflow.
   * Default: keep everything. `engine.purge()` runs one pass by hand.
   */
  retention?: { ttl?: Duration; keepLast?: number; interval?: Duration }
  /**
   * Where `{ $secret: 'NAME' }` references in connector configs are resolved, right before an
   * action runs: a provider (`envSecrets()`, `mapSecrets()`, `encryptedFileSecrets()`,
   * `vaultSecrets()`) or several, asked in order (the first that has the name wins). Default:
   * none, so a workflow that refers to a secret does not start.
   */
  secrets?: SecretsProviderV1 | readonly SecretsProviderV1[]
  /**
   * Triggers (cron, poll, consumer, webhook) that start runs of their workflows. Their workflows
   * are registered at once; the triggers start with the worker (see `startTriggers`) and stop on
   * `close()`. A trigger whose start fails is logged, listed as `failed` in `engine.triggers`
   * and started again with backoff (1s doubling to 1min). Duplicate ids throw `ConflictError`.
   */
  triggers?: readonly TriggerV1[]
  /**
   * Start `triggers` in this process. Default: true when the engine has a worker, false with
   * `worker: false` (an API-only process). Idempotency keys make several processes running the
   * same triggers safe: each event starts one run.
   */
  startTriggers?: boolean
  /**
   * Workflow versions kept as definitions in the store's records (`POST /definitions/{id}/publish`
   * stores them; so does `createDefinitionRepository`), for processes that did not register them:
   * a task, retry or approval of a version this engine lacks looks for the stored definition that
   * compiles to exactly that version (and registers it), and `start(workflowId)` starts the
   * published version of a stored definition, read at most once per `publishedCache` (1s).
   * On by default when the store keeps records (`capabilities.records`); `false` turns it off.
   */
  storedDefinitions?: false | StoredDefinitionsOptions
}

/** Options of `engine.sendEvent`. */
export interface SendEventOptions {
  /** Only waits of this run may take it. */
  runId?: string
  /** How long the inbox keeps it if no wait takes it now. Default: the engine's `inboxTtl`. */
  ttl?: Duration
  /** The event's id (a generated one by default), as recorded in the waits it resolves. */
  id?: string
}

/** What `engine.sendEvent` did. */
export interface SendEventResult {
  eventId: string
  /** The runs whose waits took the event (empty: it went to the inbox, or expired). */
  runIds: string[]
}

/** Options of `run.approve` / `run.reject`. */
export interface DecisionOptions {
  /** Who decided (recorded with the decision; Tessera does not authenticate it). */
  by?: string
  /** Which instance, when the approval sits in a foreach or loop (its step key). */
  key?: string
}

/** Options of `engine.start`. */
export interface StartOptions {
  /** Use this id instead of a generated one; an existing run with it is returned as it is. */
  runId?: string
  /** Starting again with the same key (per workflow) returns the existing run. */
  idempotencyKey?: string
}

/**
 * A workflow engine: a registry, a store, a queue and (unless disabled) a worker. Engines are
 * independent: two in one process share nothing.
 */
export interface Engine {
  readonly id: string
  readonly registry: Registry
  readonly store: StoreV1
  readonly queue: QueueV1
  /** Registers workflows, plugins, steps, agents or connectors. */
  register(...components: (Workflow | Plugin | Step | AgentV1 | ConnectorV1)[]): void
  /**
   * Registers a JSON workflow definition (from the designer, an API, a database): its steps,
   * functions and child workflows must already be registered. Returns the runnable workflow.
   */
  registerDefinition(definition: unknown): Workflow
  /** Validates the input, creates the run and queues its first steps. */
  start<W extends Workflow>(
    workflow: W,
    input: InputOf<W>,
    options?: StartOptions,
  ): Promise<RunHandle<OutputOf<W>>>
  start(workflowId: string, input: unknown, options?: StartOptions): Promise<RunHandle<unknown>>
  /**
   * Checks a workflow's connector configurations before any run: every action node's secrets
   * resolve and, with `connect: true`, every connector's `check` accepts its config (once per
   * distinct connector and config). Throws one `ConnectorConfigError` listing every problem.
   * (`start` makes the secrets part of this check itself, cached for a minute per version.) A
   * workflow the engine has not registered is checked without being registered.
   */
  preflight(workflow: Workflow | string, options?: PreflightOptions): Promise<PreflightResult>
  /** A handle on an existing run; throws `NotFoundError` if there is none. */
  getRun(runId: string): Promise<RunHandle<unknown>>
  listRuns(query?: ListRunsQuery): Promise<RunPage>
  /** Cancels a run (see `RunHandle.cancel`). */
  cancel(runId: string, reason?: string): Promise<void>
  /** Republishes lost tasks now; returns how many. */
  recover(): Promise<number>
  /**
   * Sends an event to the runs waiting for it (`.waitForEvent(name)`): every matching wait takes
   * it. If none does, it is kept in the inbox (`ttl`) for waits registered later.
   */
  sendEvent(name: string, payload?: unknown, options?: SendEventOptions): Promise<SendEventResult>
  /**
   * Approves a run's pending `.approval({ id })`; `data` is checked by the approval's schema.
   * Throws `ConflictError` when the run is not waiting for that approval.
   */
  approve(
    runId: string,
    approvalId: string,
    data?: unknown,
    options?: DecisionOptions,
  ): Promise<void>
  /** Rejects a run's pending `.approval({ id })`. */
  reject(
    runId: string,
    approvalId: string,
    reason?: string,
    options?: DecisionOptions,
  ): Promise<void>
  /**
   * Retries a failed run from the step that failed: completed steps are not run again. Throws
   * `ConflictError` when the run has not failed.
   */
  retry(runId: string): Promise<RunHandle<unknown>>
  /** One retention pass (see `EngineOptions.retention`); returns how many runs and events went. */
  purge(rules?: { ttl?: Duration; keepLast?: number }): Promise<{ runs: number; events: number }>
  /**
   * Registers a trigger's workflow and starts the trigger; resolves once it listens. Rejects
   * with the start's error (a `TesseraError`; anything else becomes a `ConnectorError`), and
   * with `ConflictError` when a trigger with that id is already live. `close()` stops it too.
   */
  startTrigger(trigger: TriggerV1): Promise<TriggerSubscription>
  /** The triggers of this engine and their state (a snapshot). */
  readonly triggers: readonly TriggerStatus[]
  on<K extends EngineEventName>(event: K, listener: (event: EngineEventMap[K]) => void): this
  off<K extends EngineEventName>(event: K, listener: (event: EngineEventMap[K]) => void): this
  /** Stops the worker (waiting for running steps) and closes the store and queue it created. */
  close(): Promise<void>
}

const scheduleSoon: (callback: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (callback) =>
        (globalThis as unknown as { setImmediate: (cb: () => void) => void }).setImmediate(callback)
    : (callback) => setTimeout(callback, 0)

/**
 * Creates an engine. With no options it runs everything in memory, in this process.
 *
 * @example
 * ```ts
 * const engine = createEngine({ plugins: [billing] })
 * const run = await engine.start(review, { orderId: 'A1' })
 * console.log(await run.result())
 * ```
 */
export function createEngine(options: EngineOptions = {}): Engine {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError({
      fn: 'createEngine',
      argument: 'options',
      expected: 'an object',
      received: options,
    })
  }
  const store = options.store ?? createMemoryStore()
  // A store that can hand out work (PostgreSQL, MySQL, Redis, a SQLite file) is also the
  // transport by default: worker processes on one database then share the work with no broker.
  const ownQueue =
    options.queue === undefined
      ? store?.capabilities?.transport && typeof store.claimNext === 'function'
        ? createStoreTransport(store, {
            clock: options.clock,
            logger: options.logger,
            ...(options.poll !== undefined ? { pollInterval: options.poll } : {}),
          })
        : createInProcessQueue({ clock: options.clock })
      : undefined
  const queue = options.queue ?? ownQueue!
  checkPort('store', store, [
    'createRun',
    'commit',
    'claimTask',
    'renewTask',
    'getRun',
    'getRunHistory',
    'getScope',
    'listRuns',
    'listStaleTasks',
    'deliverEvent',
    'resolveWait',
    'reopenRun',
    'purgeRuns',
    'close',
  ])
  checkPort('queue', queue, ['publish', 'consume', 'close'])
  const clock = options.clock ?? systemClock
  const newId = options.idGenerator ?? randomId
  const engineId = newId()
  const logger = (options.logger ?? noopLogger).child({ engine: engineId })
  // A falsy tracer (`tracer: false` from JavaScript) means none.
  const tracer = options.tracer ? options.tracer : undefined
  if (
    tracer !== undefined &&
    (typeof tracer.startSpan !== 'function' || 'startActiveSpan' in tracer)
  ) {
    throw new InvalidArgumentError({
      fn: 'createEngine',
      argument: 'tracer',
      expected:
        'a Tessera tracer (wrap an OpenTelemetry tracer with openTelemetryTracer() from @tessera/core/opentelemetry)',
      received: tracer,
    })
  }
  const leaseMs = parseDuration(options.lease ?? '30s', 'createEngine.lease')
  // How long an unclaimed task waits before recovery republishes it (default: one lease).
  const staleAfterMs =
    options.recovery && options.recovery.olderThan !== undefined
      ? parseDuration(options.recovery.olderThan, 'createEngine.recovery.olderThan')
      : leaseMs
  const pollMs = parseDuration(options.resultPollInterval ?? 250, 'createEngine.resultPollInterval')
  const engineDefaults = {
    ...(options.defaults?.retry
      ? { retry: normalizeRetry(options.defaults.retry, 'createEngine.defaults') }
      : {}),
    ...(options.defaults?.timeout !== undefined
      ? { timeoutMs: parseDuration(options.defaults.timeout, 'createEngine.defaults.timeout') }
      : {}),
  }
  const inboxTtlMs = parseDuration(options.inboxTtl ?? '1h', 'createEngine.inboxTtl')
  const retention = options.retention
  if (
    retention !== undefined &&
    (typeof retention !== 'object' ||
      retention === null ||
      (retention.ttl === undefined && retention.keepLast === undefined))
  ) {
    throw new InvalidArgumentError({
      fn: 'createEngine',
      argument: 'retention',
      expected: '{ ttl?, keepLast?, interval? } with ttl, keepLast or both',
      received: retention,
    })
  }
  const workerOptions = options.worker === false ? undefined : (options.worker ?? {})
  const workerId = workerOptions?.id ?? `worker-${engineId}`
  const concurrency = workerOptions?.concurrency ?? 100
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new InvalidArgumentError({
      fn: 'createEngine',
      argument: 'worker.concurrency',
      expected: 'a positive integer',
      received: concurrency,
    })
  }

  const plans = new Map<string, ExecutionPlan>()
  const lookupSecret = secretLookup(options.secrets)
  // Workflow versions whose secrets all resolved, until when (start checks them at most this often).
  const secretsCheckedUntil = new Map<string, number>()
  const secretsCheckTtlMs = 60_000
  let consumer: QueueConsumer | undefined
  let recoveryTimer: unknown

  // The state the engine's parts share. Their functions are added below; until then the
  // placeholders are never called (nothing runs before createEngine returns).
  const core = {
    store,
    queue,
    clock,
    logger,
    tracer,
    registry: createRegistry(),
    leaseMs,
    pollMs,
    workerId,
    hasWorker: workerOptions !== undefined,
    // Leases only matter when something may reclaim a task: recovery, here or in another process.
    heartbeats:
      store.capabilities.durable ||
      store.capabilities.shared ||
      (options.recovery !== undefined && options.recovery !== false),
    // Tasks leased in the commit that creates them must reach this process's worker: only with
    // a queue the engine made itself (in-process, or the store transport's local delivery).
    leaseSuccessors: workerOptions !== undefined && ownQueue !== undefined,
    cancelled: new Set<string>(),
    emitter: new EventEmitter(),
    runEmitters: new Map(),
    localRuns: new Map(),
    scopeCache: new Map(),
    running: [],
    secrets:
      lookupSecret === undefined
        ? undefined
        : ({
            specificationVersion: 'v1',
            provider: 'engine',
            get: (name, options) => lookupSecret(name, options?.signal),
          } satisfies SecretsProviderV1),
    closed: false,
  } as unknown as EngineCore
  const { registry, localRuns, emitter } = core

  // ── registration ────────────────────────────────────────────────────────────────────────────
  const planFor = (workflow: Workflow, latest?: boolean): ExecutionPlan => {
    const known = plans.get(workflow.version)
    if (known && known.workflow === workflow) return known
    registry.addWorkflow(workflow, latest)
    const plan = compilePlan(workflow, registry, engineDefaults, lookupSecret)
    plans.set(workflow.version, plan)
    return plan
  }

  const planForTask = (task: {
    workflowId: string
    workflowVersion: string
  }): ExecutionPlan | undefined => {
    const known = plans.get(task.workflowVersion)
    if (known) return known
    const workflow = registry.workflowVersion(task.workflowId, task.workflowVersion)
    return workflow ? planFor(workflow) : undefined
  }

  const register = (...components: (Workflow | Plugin | Step | AgentV1 | ConnectorV1)[]) => {
    for (const component of components) {
      switch ((component as { kind?: unknown })?.kind) {
        case 'workflow':
          planFor(component as Workflow)
          break
        case 'plugin':
          registry.addPlugin(component as Plugin)
          for (const workflow of (component as Plugin).workflows) planFor(workflow)
          break
        case 'step':
          registry.addStep(component as Step)
          break
        case 'agent':
          registry.addAgent(component as AgentV1)
          break
        case 'connector':
          registry.addConnector(component as ConnectorV1)
          break
        default:
          throw new InvalidArgumentError({
            fn: 'engine.register',
            argument: 'component',
            expected: 'a workflow, plugin, step, agent or connector',
            received: component,
          })
      }
    }
  }

  // Stored definitions: versions this engine lacks, published versions to start by id. Loaded on
  // first use (./stored-definitions), so an engine that never needs them never loads them.
  const storedOptions = options.storedDefinitions
  const compile = (definition: unknown) => workflowFromDefinition(definition, { registry })
  const storedTtls = storedOptions !== false &&
    store.capabilities.records &&
    store.getRecord && [
      parseDuration(
        storedOptions?.publishedCache ?? 1000,
        'createEngine.storedDefinitions.publishedCache',
      ),
      parseDuration(storedOptions?.missCache ?? 10_000, 'createEngine.storedDefinitions.missCache'),
    ]
  let definitions: StoredDefinitions | undefined
  let loadingDefinitions: Promise<StoredDefinitions> | undefined
  const loadDefinitions = () =>
    (loadingDefinitions ??= import('./stored-definitions').then(
      ({ createStoredDefinitions }) =>
        (definitions = createStoredDefinitions(
          { ...core, compile },
          (storedTtls as number[])[0]!,
          (storedTtls as number[])[1]!,
        )),
    ))

  // ── the parts ───────────────────────────────────────────────────────────────────────────────
  Object.assign(core, {
    planFor,
    planForTask,
    resolvePlan: storedTtls
      ? (task: TaskRecord) => loadDefinitions().then((loaded) => loaded.plan(task))
      : undefined,
    cancel: (runId: string, reason?: string) => cancel(runId, reason),
    decideApproval: (
      runId: string,
      approvalId: string,
      approved: boolean,
      value: unknown,
      decisionOptions?: DecisionOptions,
    ) =>
      decide(
        approved ? 'run.approve' : 'run.reject',
        runId,
        approvalId,
        approved,
        value,
        decisionOptions,
      ),
  })
  Object.assign(core, createRunTracker(core))
  Object.assign(core, createCommitPipeline(core))
  Object.assign(core, createStepPipeline(core))

  // ── public operations ───────────────────────────────────────────────────────────────────────
  async function start(
    workflowOrId: Workflow | string,
    input: unknown,
    startOptions: StartOptions = {},
  ): Promise<RunHandle<any>> {
    if (core.closed) throw new ConflictError('The engine is closed')
    let workflow = workflowOrId as Workflow | null | undefined
    if (typeof workflowOrId === 'string') {
      // The published version of a stored definition, if any (cached: no read per start).
      workflow = definitions?.current(workflowOrId)
      if (workflow === undefined && core.resolvePlan)
        workflow = await (await loadDefinitions()).published(workflowOrId)
      workflow ??= registry.workflows.require(workflowOrId)
    }
    if (
      typeof workflow !== 'object' ||
      workflow === null ||
      (workflow as AnyRunnable).kind !== 'workflow'
    ) {
      throw new InvalidArgumentError({
        fn: 'engine.start',
        argument: 'workflow',
        expected: 'a committed workflow or the id of a registered one',
        received: workflow,
      })
    }
    if (startOptions.runId !== undefined)
      assertId('engine.start', 'options.runId', startOptions.runId)
    if (
      startOptions.idempotencyKey !== undefined &&
      (typeof startOptions.idempotencyKey !== 'string' || startOptions.idempotencyKey === '')
    ) {
      throw new InvalidArgumentError({
        fn: 'engine.start',
        argument: 'options.idempotencyKey',
        expected: 'a non-empty string',
        received: startOptions.idempotencyKey,
      })
    }
    const plan = planFor(workflow)
    if (plan.secretNames.length > 0) await checkSecrets(plan)
    const parsed = validateWith(workflow.inputSchema, input, {
      workflowId: workflow.id,
      target: 'input',
    })
    const runId = startOptions.runId ?? newId()
    const now = clock.now()
    let effects: Effects | undefined
    let startError: unknown
    try {
      effects = await core.decide(plan, runId, now, (decision) =>
        decision.enter(plan.nodes[0]!, parsed, []),
      )
    } catch (error) {
      startError = error
    }
    const status = startError !== undefined ? 'failed' : effects?.end ? 'succeeded' : 'running'
    const record: RunRecord = {
      id: runId,
      workflowId: workflow.id,
      workflowVersion: workflow.version,
      status,
      input: parsed,
      createdAt: now,
      updatedAt: now,
    }
    if (startOptions.idempotencyKey !== undefined)
      record.idempotencyKey = startOptions.idempotencyKey
    if (effects?.end) {
      record.output = effects.end.output
      record.endedAt = now
    }
    if (startError !== undefined) {
      record.error = serializeError(startError)
      record.endedAt = now
    }
    // As for successors: a single runnable first task is leased to this worker in the same
    // write, and runs here without a claim.
    if (core.leaseSuccessors && effects?.tasks.length === 1 && !effects.end) {
      const first = effects.tasks[0]!
      if (first.wait === undefined && first.availableAt <= now) {
        first.fence = 1
        first.leaseOwner = workerId
        first.leaseExpiresAt = now + leaseMs
      }
    }
    const created = await store.createRun({
      run: record,
      tasks: effects?.tasks ?? [],
      scopes: effects?.scopes ?? [],
    })
    if (!created.created) return core.handleFor(created.run.id, created.run.workflowId, false)

    let resolve!: (value: unknown) => void
    let reject!: (error: unknown) => void
    const promise = new Promise<unknown>((ok, fail) => {
      resolve = ok
      reject = fail
    })
    // A rejection nobody awaits must not crash the host: result() hands out the same promise.
    promise.catch(() => undefined)
    const span = tracer?.startSpan(`run ${workflow.id}`, {
      'tessera.run_id': runId,
      'tessera.workflow_id': workflow.id,
      'tessera.workflow_version': workflow.version,
    })
    const pendingStart: RunStartEvent = {
      type: 'run-start',
      runId,
      workflowId: workflow.id,
      at: now,
      input: parsed,
    }
    localRuns.set(runId, {
      resolve,
      reject,
      promise,
      span,
      pendingStart,
    })
    // The handle keeps the run's promise: result() after the run ended rejects with the very error
    // (a StepFailedError with its cause, …), not a copy revived from the store.
    const handle = core.handleFor(runId, workflow.id, true)
    // Deliver the first events after the caller has had a chance to attach listeners.
    scheduleSoon(() => {
      const local = localRuns.get(runId)
      // Ended already (cancelled before its first events): nothing left to announce or queue.
      if (!local) return
      core.announceStart(runId, local)
      if (status === 'succeeded')
        core.finishRun(runId, workflow.id, 'succeeded', effects!.end!.output, undefined)
      else if (status === 'failed')
        core.finishRun(runId, workflow.id, 'failed', undefined, startError)
      else {
        core.cacheScopes(runId, effects!.scopes)
        void Promise.resolve(core.publishTasks(effects!.tasks, created.woken)).catch(
          (error: unknown) =>
            logger.error('Publishing the first tasks failed; recovery will republish them', {
              runId,
              error: serializeError(error),
            }),
        )
      }
    })
    return handle
  }

  // The secrets part of preflight, remembered per workflow version for a short while.
  const checkSecrets = async (plan: ExecutionPlan) => {
    const until = secretsCheckedUntil.get(plan.workflow.version)
    if (until !== undefined && until > clock.now()) return
    const values = await Promise.all(plan.secretNames.map((name) => lookupSecret?.(name))).catch(
      () => [],
    )
    // Something is missing (or a provider failed): preflight (loaded now) says what, where.
    if (values.length === 0 || values.some((value) => typeof value !== 'string'))
      await (await import('./preflight')).preflightPlan(plan, lookupSecret, {}, logger)
    secretsCheckedUntil.set(plan.workflow.version, clock.now() + secretsCheckTtlMs)
  }

  const preflight = async (
    workflowOrId: Workflow | string,
    preflightOptions: PreflightOptions = {},
  ): Promise<PreflightResult> => {
    const workflow =
      typeof workflowOrId === 'string' ? registry.workflows.require(workflowOrId) : workflowOrId
    if (
      typeof workflow !== 'object' ||
      workflow === null ||
      (workflow as AnyRunnable).kind !== 'workflow'
    ) {
      throw new InvalidArgumentError({
        fn: 'engine.preflight',
        argument: 'workflow',
        expected: 'a committed workflow or the id of a registered one',
        received: workflow,
      })
    }
    // A workflow the engine does not have yet (a definition being validated) is compiled but not
    // registered: checking it must not make it startable.
    // Loaded on first use: an engine that never preflights never loads it.
    const { preflightPlan, registryWith } = await import('./preflight')
    const registered = registry.workflowVersion(workflow.id, workflow.version) === workflow
    const plan = registered
      ? planFor(workflow)
      : compilePlan(workflow, registryWith(workflow, registry), engineDefaults, lookupSecret)
    const result = await preflightPlan(plan, lookupSecret, preflightOptions, logger)
    if (registered) secretsCheckedUntil.set(plan.workflow.version, clock.now() + secretsCheckTtlMs)
    return result
  }

  const cancel = async (runId: string, reason?: string) => {
    assertRunId('engine.cancel', runId)
    // Before any await: a task already leased to this worker must not start from here on.
    const { cancelled } = core
    cancelled.add(runId)
    if (cancelled.size > 1024) cancelled.delete(cancelled.values().next().value!)
    const error = new RunCancelledError({ runId, ...(reason !== undefined ? { reason } : {}) })
    const now = clock.now()
    const result = await store.commit({
      runId,
      run: { status: 'cancelled', error: serializeError(error), updatedAt: now, endedAt: now },
    })
    if (result.status === 'run-ended') {
      throw new ConflictError(`Run "${runId}" already ended with status "${result.run.status}"`)
    }
    const run = await store.getRun(runId)
    core.finishRun(runId, run?.workflowId ?? '', 'cancelled', undefined, error)
  }

  // ── events, approvals, retries, retention ──────────────────────────────────────────────────
  const publishResolved = (tasks: TaskRecord[], now: number) =>
    core.publishTasks(tasks.map((task) => ({ ...task, availableAt: now })))

  const sendEvent = async (
    name: string,
    payload: unknown = null,
    sendOptions: SendEventOptions = {},
  ): Promise<SendEventResult> => {
    if (core.closed) throw new ConflictError('The engine is closed')
    if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,199}$/.test(name)) {
      throw new InvalidArgumentError({
        fn: 'engine.sendEvent',
        argument: 'name',
        expected: 'an event name of letters, digits, "-", "_", ".", ":" or "/" (at most 200)',
        received: name,
      })
    }
    if (sendOptions.runId !== undefined) assertRunId('engine.sendEvent', sendOptions.runId)
    assertJson('engine.sendEvent', 'payload', payload)
    const ttlMs =
      sendOptions.ttl === undefined
        ? inboxTtlMs
        : parseDuration(sendOptions.ttl, 'engine.sendEvent.ttl')
    const now = clock.now()
    const event: EventRecord = {
      id: sendOptions.id ?? newId(),
      name,
      payload,
      receivedAt: now,
      expiresAt: now + ttlMs,
      ...(sendOptions.runId !== undefined ? { runId: sendOptions.runId } : {}),
    }
    const { delivered } = await store.deliverEvent({ event, now })
    if (delivered.length > 0) await publishResolved(delivered, now)
    logger.debug('Event sent', { event: name, eventId: event.id, delivered: delivered.length })
    return { eventId: event.id, runIds: [...new Set(delivered.map((task) => task.runId))] }
  }

  /**
   * The approval node of a run's workflow version, to check the data given with a decision.
   * Undefined for an approval asked for inside step code (`context.approval()`): its schema is
   * in the code, which checks the data when it reads the decision.
   */
  const approvalNode = async (run: RunRecord, approvalId: string) => {
    const plan = planForTask(run) ?? (await core.resolvePlan?.(run))
    if (!plan) return undefined
    for (const node of plan.nodes) {
      if (node.kind === 'step' && node.wait?.kind === 'approval' && node.wait.name === approvalId)
        return node
    }
    return undefined
  }

  const decide = async (
    fn: string,
    runId: string,
    approvalId: string,
    approved: boolean,
    value: unknown,
    decisionOptions: DecisionOptions = {},
  ) => {
    if (core.closed) throw new EngineClosedError({ runId })
    assertRunId(fn, runId)
    if (typeof approvalId !== 'string' || approvalId === '') {
      throw new InvalidArgumentError({
        fn,
        argument: 'approvalId',
        expected: 'the id of an .approval() node',
        received: approvalId,
      })
    }
    const run = await store.getRun(runId)
    if (!run) throw new NotFoundError({ kind: 'run', id: runId })
    let data = value
    if (approved) {
      const node = await approvalNode(run, approvalId)
      const schema = node?.kind === 'step' ? node.wait?.schema : undefined
      if (schema) {
        data = validateWith(schema, value, {
          workflowId: run.workflowId,
          stepId: node!.id,
          target: 'approval',
        })
      }
      if (data !== undefined) assertJson(fn, 'data', data)
    } else if (value !== undefined && typeof value !== 'string') {
      throw new InvalidArgumentError({
        fn,
        argument: 'reason',
        expected: 'a string or nothing',
        received: value,
      })
    }
    const now = clock.now()
    const resolution: WaitResolution = approved
      ? { type: 'approval', approved: true, data: data ?? null, at: now }
      : {
          type: 'approval',
          approved: false,
          at: now,
          ...(value !== undefined ? { reason: value as string } : {}),
        }
    if (decisionOptions.by !== undefined) resolution.by = decisionOptions.by
    const result = await store.resolveWait({
      runId,
      kind: 'approval',
      name: approvalId,
      ...(decisionOptions.key !== undefined ? { key: decisionOptions.key } : {}),
      resolution,
      now,
    })
    if (result.status === 'run-ended') {
      throw new ConflictError(
        `Run "${runId}" already ended with status "${result.run.status}"; approval "${approvalId}" is moot`,
      )
    }
    if (result.status === 'not-waiting') {
      throw new ConflictError(
        `Run "${runId}" is not waiting for approval "${approvalId}"${decisionOptions.key !== undefined ? ` (key "${decisionOptions.key}")` : ''}: it has not reached it yet, it was decided already, or it timed out`,
      )
    }
    await publishResolved([result.task], now)
  }

  const retry = async (runId: string): Promise<RunHandle<unknown>> => {
    if (core.closed) throw new EngineClosedError({ runId })
    assertRunId('engine.retry', runId)
    const history = await store.getRunHistory(runId)
    if (!history) throw new NotFoundError({ kind: 'run', id: runId })
    const { run } = history
    if (run.status !== 'failed') {
      throw new ConflictError(
        `Run "${runId}" has status "${run.status}"; only failed runs can be retried`,
      )
    }
    const plan = planForTask(run) ?? (await core.resolvePlan?.(run))
    if (!plan) {
      throw new ConflictError(
        `Run "${runId}" is pinned to version ${run.workflowVersion} of workflow "${run.workflowId}", which this engine does not have (nor a stored definition that compiles to it): register it first`,
      )
    }
    const failed = history.steps.filter((step) => step.status === 'failed')
    if (failed.length === 0 && history.tasks.length === 0) {
      throw new ConflictError(
        `Run "${runId}" failed outside any step (${run.error?.message ?? 'no error recorded'}); there is no step to run again`,
      )
    }
    const now = clock.now()
    const effects = await core.decide(plan, runId, now, (decision) => {
      for (const step of failed) {
        const node = plan.byId.get(step.nodeId)
        if (!node) {
          throw new ConflictError(
            `Run "${runId}" failed in node "${step.nodeId}", unknown to its plan`,
          )
        }
        decision.enter(node, step.input, step.path)
      }
    })
    const reopened = await store.reopenRun({ runId, tasks: effects.tasks, now })
    if (reopened.status !== 'reopened') {
      throw new ConflictError(
        `Run "${runId}" has status "${reopened.run.status}"; only failed runs can be retried`,
      )
    }
    const after = await store.getRunHistory(runId)
    await core.publishTasks(
      (after?.tasks ?? []).map((task) => ({
        ...task,
        availableAt: Math.max(task.availableAt, now),
      })),
    )
    logger.info('Retrying a failed run', { runId, steps: failed.map((step) => step.key) })
    return core.handleFor(runId, run.workflowId, false)
  }

  const purge = async (rules = retention): Promise<{ runs: number; events: number }> => {
    if (rules?.ttl === undefined && rules?.keepLast === undefined) {
      throw new InvalidArgumentError({
        fn: 'engine.purge',
        argument: 'rules',
        expected: '{ ttl?, keepLast? } with at least one (or createEngine({ retention }))',
        received: rules,
      })
    }
    const ttlMs = rules.ttl === undefined ? undefined : parseDuration(rules.ttl, 'engine.purge.ttl')
    const now = clock.now()
    const total = { runs: 0, events: 0 }
    for (;;) {
      const pass = await store.purgeRuns({
        ...(ttlMs !== undefined ? { endedBefore: now - ttlMs } : {}),
        ...(rules.keepLast !== undefined ? { keepLast: rules.keepLast } : {}),
        limit: 1000,
        now,
      })
      total.runs += pass.runs
      total.events += pass.events
      if (pass.runs < 1000) break
    }
    if (total.runs + total.events > 0) logger.info('Retention pass', total)
    return total
  }

  const recover = async (): Promise<number> => {
    const now = clock.now()
    const stale = await store.listStaleTasks({ now, olderThan: staleAfterMs, limit: 1000 })
    await core.publishTasks(
      stale.map((task) => ({ ...task, availableAt: Math.max(task.availableAt, now) })),
    )
    if (stale.length > 0) logger.info('Republished lost tasks', { count: stale.length })
    return stale.length
  }

  // ── wiring ──────────────────────────────────────────────────────────────────────────────────
  for (const plugin of options.plugins ?? []) register(plugin)
  for (const workflow of options.workflows ?? []) register(workflow)
  // Triggers are checked now; their machinery (./triggers) loads on first use, so an engine
  // without triggers never loads it.
  const optionTriggers = (options.triggers ?? []).map((trigger) =>
    checkTrigger('createEngine', trigger),
  )
  optionTriggers.forEach((trigger, index) => {
    if (optionTriggers.findIndex((other) => other.id === trigger.id) < index)
      throw new ConflictError(`Two triggers have the id "${trigger.id}"`)
    planFor(trigger.workflow)
  })
  let triggerSet: TriggerSet | undefined
  let loadingTriggers: Promise<TriggerSet> | undefined
  const loadTriggers = () =>
    (loadingTriggers ??= import('./triggers').then(({ createTriggerSet }) => {
      triggerSet = createTriggerSet({
        start: (workflow, input, startOptions) => start(workflow, input, startOptions),
        register: planFor,
        secret: async (name) => lookupSecret?.(name),
        clock,
        logger,
        store,
        workerId,
      })
      for (const trigger of optionTriggers) triggerSet.add('createEngine', trigger)
      return triggerSet
    }))
  if (workerOptions)
    consumer = queue.consume(core.handleDelivery, { concurrency, workerId, leaseMs })
  const recoveryOptions =
    options.recovery === false
      ? undefined
      : (options.recovery ??
        (store.capabilities.durable || store.capabilities.shared ? {} : undefined))
  if (recoveryOptions) {
    const interval = parseDuration(
      recoveryOptions.interval ?? '5s',
      'createEngine.recovery.interval',
    )
    const tick = () => {
      recoveryTimer = clock.setTimeout(() => {
        recover()
          .catch((error: unknown) =>
            logger.error('Recovery pass failed', { error: serializeError(error) }),
          )
          .finally(() => {
            if (!core.closed) tick()
          })
      }, interval)
      ;(recoveryTimer as { unref?: () => void }).unref?.()
    }
    tick()
  }

  let sweepTimer: unknown
  if (retention) {
    const interval = parseDuration(retention.interval ?? '1m', 'createEngine.retention.interval')
    const sweep = () => {
      sweepTimer = clock.setTimeout(() => {
        purge()
          .catch((error: unknown) =>
            logger.error('Retention pass failed', { error: serializeError(error) }),
          )
          .finally(() => {
            if (!core.closed) sweep()
          })
      }, interval)
      ;(sweepTimer as { unref?: () => void }).unref?.()
    }
    sweep()
  }

  const engine: Engine = {
    id: engineId,
    registry,
    store,
    queue,
    register,
    registerDefinition(definition) {
      const workflow = compile(definition)
      planFor(workflow)
      // Published here: the next start by id reads the head again.
      definitions?.forget(workflow.id)
      return workflow
    },
    start: start as Engine['start'],
    preflight,
    async getRun(runId) {
      assertRunId('engine.getRun', runId)
      const run = await store.getRun(runId)
      if (!run) throw new NotFoundError({ kind: 'run', id: runId })
      return core.handleFor(run.id, run.workflowId, false)
    },
    listRuns: (query) => store.listRuns(query),
    cancel,
    recover,
    sendEvent,
    approve: (runId, approvalId, data, decisionOptions) =>
      decide('engine.approve', runId, approvalId, true, data, decisionOptions),
    reject: (runId, approvalId, reason, decisionOptions) =>
      decide('engine.reject', runId, approvalId, false, reason, decisionOptions),
    retry,
    purge,
    async startTrigger(trigger) {
      if (core.closed) throw new ConflictError('The engine is closed')
      const set = await loadTriggers()
      return set.start(set.add('engine.startTrigger', trigger))
    },
    get triggers() {
      return (
        triggerSet?.list() ??
        optionTriggers.map((trigger) => ({
          id: trigger.id,
          type: trigger.type,
          workflowId: trigger.workflow.id,
          state: 'starting' as const,
          runs: 0,
        }))
      )
    },
    on(event, listener) {
      assertListener('engine.on', event, listener)
      emitter.on(event, listener as (event: unknown) => void)
      return engine
    },
    off(event, listener) {
      assertListener('engine.off', event, listener)
      emitter.off(event, listener as (event: unknown) => void)
      return engine
    },
    async close() {
      if (core.closed) return
      core.closed = true
      if (loadingTriggers) await (await loadingTriggers).stopAll()
      if (recoveryTimer !== undefined) clock.clearTimeout(recoveryTimer)
      if (sweepTimer !== undefined) clock.clearTimeout(sweepTimer)
      await consumer?.stop()
      // Runs that have not ended cannot end here any more: settle their handles, do not hang.
      for (const [runId, local] of [...localRuns]) {
        localRuns.delete(runId)
        local.span?.end()
        local.reject(new EngineClosedError({ runId }))
      }
      if (!options.queue) await queue.close()
      if (!options.store) await store.close()
    },
  }
  if (optionTriggers.length > 0) {
    const launch = options.startTriggers ?? workerOptions !== undefined
    void loadTriggers().then((set) => {
      if (launch && !core.closed) for (const trigger of optionTriggers) set.launch(trigger)
    })
  }
  return engine
}

function checkPort(name: string, port: unknown, methods: string[]) {
  for (const method of methods) {
    if (typeof (port as Record<string, unknown> | undefined)?.[method] !== 'function') {
      throw new InvalidArgumentError({
        fn: 'createEngine',
        argument: name,
        expected: `a ${name === 'store' ? 'StoreV1' : 'QueueV1'} implementation (missing ${method}())`,
        received: port,
      })
    }
  }
  // The engine reads the store's capabilities at once: a missing object must fail here, clearly.
  const capabilities = (port as { capabilities?: unknown }).capabilities
  if (name === 'store' && (typeof capabilities !== 'object' || capabilities === null)) {
    throw new InvalidArgumentError({
      fn: 'createEngine',
      argument: name,
      expected: 'a StoreV1 implementation (missing capabilities)',
      received: port,
    })
  }
}

/** Event payloads and approval data are stored as JSON: refuse what JSON would not keep. */
function assertJson(fn: string, argument: string, value: unknown): void {
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (error) {
    throw new InvalidArgumentError({
      fn,
      argument,
      expected: `a JSON-serialisable value (${error instanceof Error ? error.message : String(error)})`,
      received: value,
    })
  }
  if (text === undefined) {
    throw new InvalidArgumentError({
      fn,
      argument,
      expected: 'a JSON-serialisable value',
      received: value,
    })
  }
}
