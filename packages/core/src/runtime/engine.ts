import EventEmitter from 'eventemitter3'
import type { Step } from '../builder/step'
import { assertId } from '../builder/step'
import { workflowFromDefinition } from '../builder/workflow-from-definition'
import type { AnyRunnable, InputOf, OutputOf, Workflow } from '../builder/workflow'
import { ConflictError } from '../errors/conflict-error'
import { EngineClosedError } from '../errors/engine-closed-error'
import { deserializeError, serializeError } from '../errors/error-json'
import { InvalidArgumentError } from '../errors/invalid-argument-error'
import { NotFoundError } from '../errors/not-found-error'
import { RunCancelledError } from '../errors/run-cancelled-error'
import { StepFailedError } from '../errors/step-failed-error'
import { StepTimeoutError } from '../errors/step-timeout-error'
import { TesseraError } from '../errors/tessera-error'
import { ValidationError } from '../errors/validation-error'
import { ControlFlowError } from '../errors/control-flow-error'
import { createInProcessQueue } from '../memory/in-process-queue'
import { createMemoryStore } from '../memory/memory-store'
import type { AgentV1 } from '../ports/agent-v1'
import { randomId, systemClock, type Clock, type IdGenerator } from '../ports/clock'
import type { ConnectorV1 } from '../ports/connector-v1'
import type { Logger } from '../ports/logger'
import type { TraceSpan, Tracer } from '../ports/tracer'
import type { QueueMessage, QueueV1, QueueConsumer } from '../ports/queue-v1'
import {
  terminalRunStatuses,
  type ClaimResult,
  type CommitInput,
  type CommitResult,
  type JoinOutcome,
  type ListRunsQuery,
  type RunPage,
  type RunRecord,
  type ScopeRecord,
  type StepRecord,
  type StoreV1,
  type TaskRecord,
} from '../ports/store-v1'
import type { Plugin } from '../registry/plugin'
import { createRegistry, type Registry } from '../registry/registry'
import { noopLogger } from '../telemetry/noop-logger'
import { Decision, ScopeMiss, type Effects, type Join } from './decider'
import { parseDuration, type Duration } from './duration'
import type { EngineEventMap, EngineEventName, RunStartEvent } from './events'
import { compilePlan, type ExecutionPlan, type PlanNode } from './plan'
import { normalizeRetry, retryDelay, type RetryOptions } from './retry-policy'
import { RunHandle, type RunHandleBackend } from './run-handle'
import { StepExecution } from './step-execution'
import { validateStepValue, validateWith } from './validate'

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
  /** A handle on an existing run; throws `NotFoundError` if there is none. */
  getRun(runId: string): Promise<RunHandle<unknown>>
  listRuns(query?: ListRunsQuery): Promise<RunPage>
  /** Cancels a run (see `RunHandle.cancel`). */
  cancel(runId: string, reason?: string): Promise<void>
  /** Republishes lost tasks now; returns how many. */
  recover(): Promise<number>
  on<K extends EngineEventName>(event: K, listener: (event: EngineEventMap[K]) => void): this
  off<K extends EngineEventName>(event: K, listener: (event: EngineEventMap[K]) => void): this
  /** Stops the worker (waiting for running steps) and closes the store and queue it created. */
  close(): Promise<void>
}

interface LocalRun {
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
  promise: Promise<unknown>
  span: TraceSpan | undefined
  /** The run-start event until it is delivered (it must precede every other event of the run). */
  pendingStart: RunStartEvent | undefined
  /** Polls the store for an end committed by another process (see localResult). */
  watch?: Promise<void>
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
  const queue = options.queue ?? createInProcessQueue({ clock: options.clock })
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

  const registry = createRegistry()
  const plans = new Map<string, ExecutionPlan>()
  const emitter = new EventEmitter()
  const runEmitters = new Map<string, EventEmitter>()
  const localRuns = new Map<string, LocalRun>()
  /** Open foreach scopes (their items) by run id, then scope key. */
  const scopeCache = new Map<string, Map<string, ScopeRecord>>()
  /** Step attempts executing in this engine, by run id (any run, wherever it was started). */
  const running: StepExecution[] = []
  // Leases only matter when something may reclaim a task: recovery, here or in another process.
  const heartbeats =
    store.capabilities.durable ||
    store.capabilities.shared ||
    (options.recovery !== undefined && options.recovery !== false)
  let consumer: QueueConsumer | undefined
  let recoveryTimer: unknown
  let closed = false

  // ── registration ────────────────────────────────────────────────────────────────────────────
  const planFor = (workflow: Workflow): ExecutionPlan => {
    const known = plans.get(workflow.version)
    if (known && known.workflow === workflow) return known
    registry.addWorkflow(workflow)
    const plan = compilePlan(workflow, registry, engineDefaults)
    plans.set(workflow.version, plan)
    return plan
  }

  const planForTask = (task: TaskRecord): ExecutionPlan | undefined => {
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

  // ── events ──────────────────────────────────────────────────────────────────────────────────
  const listening = (event: EngineEventName, runId: string): boolean =>
    emitter.listenerCount(event) > 0 || (runEmitters.get(runId)?.listenerCount(event) ?? 0) > 0

  const emit = <K extends EngineEventName>(name: K, event: EngineEventMap[K]) => {
    try {
      emitter.emit(name, event)
      runEmitters.get(event.runId)?.emit(name, event)
    } catch (error) {
      logger.error('An event listener threw; the run goes on', {
        event: name,
        runId: event.runId,
        error: serializeError(error),
      })
    }
  }

  const announceStart = (runId: string, local: LocalRun) => {
    const event = local.pendingStart
    if (!event) return
    local.pendingStart = undefined
    if (listening('run-start', runId)) emit('run-start', event)
  }

  /**
   * The outcome of a run started here. Without a worker, or with a shared store, other processes
   * may make the run's last commit: the store is then polled as well, and what it reports settles
   * this process's promise (and its events and span) too.
   */
  const localResult = (runId: string, local: LocalRun): Promise<unknown> => {
    if (workerOptions && !store.capabilities.shared) return local.promise
    local.watch ??= (async () => {
      for (;;) {
        if (closed || localRuns.get(runId) !== local) return
        const run = await store.getRun(runId)
        if (run && terminalRunStatuses.has(run.status)) {
          if (localRuns.get(runId) === local) endedElsewhere(run)
          return
        }
        await new Promise((resolve) => clock.setTimeout(() => resolve(undefined), pollMs))
      }
    })().catch((error: unknown) =>
      logger.warn('Polling the store for a run result failed', {
        runId,
        error: serializeError(error),
      }),
    )
    return local.promise
  }

  /** A handle whose result() is the run's own promise while this process knows the run's outcome. */
  const handleFor = (runId: string, workflowId: string, created: boolean) =>
    new RunHandle(runId, workflowId, created, backend, localRuns.get(runId))

  // ── run completion ──────────────────────────────────────────────────────────────────────────
  const finishRun = (
    runId: string,
    workflowId: string,
    status: 'succeeded' | 'failed' | 'cancelled',
    output: unknown,
    error: unknown,
  ) => {
    const local = localRuns.get(runId)
    // A run that ends before its first events were delivered (cancelled at once) still starts first.
    if (local) announceStart(runId, local)
    if (listening('run-end', runId)) {
      emit('run-end', {
        type: 'run-end',
        runId,
        workflowId,
        at: clock.now(),
        status,
        ...(status === 'succeeded' ? { output } : { error: serializeError(error) }),
      })
    }
    runEmitters.get(runId)?.removeAllListeners()
    runEmitters.delete(runId)
    scopeCache.delete(runId)
    // Steps of the run executing here, whoever started the run, see their signal abort.
    for (const execution of running.slice()) {
      if (execution.runId === runId) execution.abort(error ?? new RunCancelledError({ runId }))
    }
    if (!local) return
    localRuns.delete(runId)
    if (local.span) {
      if (status === 'succeeded') local.span.succeed()
      else local.span.fail(error instanceof Error ? error.message : String(error))
      local.span.end()
    }
    if (status === 'succeeded') local.resolve(output)
    else local.reject(error)
  }

  // ── committing decisions ────────────────────────────────────────────────────────────────────
  /** Runs the decider; synchronous unless it needs a scope from the store. */
  const decide = (
    plan: ExecutionPlan,
    runId: string,
    now: number,
    act: (decision: Decision) => void,
  ): Effects | Promise<Effects> => {
    const decision = new Decision({ plan, runId, now, scopes: scopeCache.get(runId) })
    try {
      act(decision)
      return decision.effects
    } catch (error) {
      if (!(error instanceof ScopeMiss)) throw error
      return loadScope(runId, error.key).then(() => decide(plan, runId, now, act))
    }
  }

  /** The decision after a step completed: synchronous on the hot path, no closure. */
  const decideCompletion = (
    plan: ExecutionPlan,
    node: PlanNode,
    task: TaskRecord,
    output: unknown,
    now: number,
  ): Effects | Promise<Effects> => {
    const decision = new Decision({
      plan,
      runId: task.runId,
      now,
      scopes: scopeCache.get(task.runId),
    })
    try {
      decision.complete(node, task.path, output)
      return decision.effects
    } catch (error) {
      if (!(error instanceof ScopeMiss)) throw error
      return loadScope(task.runId, error.key).then(() =>
        decideCompletion(plan, node, task, output, now),
      )
    }
  }

  const loadScope = async (runId: string, key: string) => {
    const scope = await store.getScope(runId, key)
    if (!scope) throw new TesseraError('internal', `Run "${runId}" has no scope "${key}"`)
    cacheScope(runId, scope)
  }

  const cacheScope = (runId: string, scope: ScopeRecord) => {
    let scopes = scopeCache.get(runId)
    if (!scopes) scopeCache.set(runId, (scopes = new Map()))
    scopes.set(scope.key, scope)
  }

  const publishTasks = (tasks: TaskRecord[]) => {
    if (tasks.length === 0) return
    const messages: QueueMessage[] = new Array(tasks.length)
    for (let index = 0; index < tasks.length; index++) {
      const task = tasks[index]!
      messages[index] = { taskId: task.id, runId: task.runId, availableAt: task.availableAt }
    }
    return queue.publish(messages)
  }

  const cacheScopes = (runId: string, scopes: ScopeRecord[]) => {
    for (const scope of scopes) if (!scope.closed && scope.items) cacheScope(runId, scope)
  }

  /** Copies a decision's effects into the commit that records them. */
  const fillCommit = (commit: CommitInput, effects: Effects) => {
    if (effects.scopes.length > 0) commit.scopes = effects.scopes
    if (effects.tasks.length > 0) commit.tasks = effects.tasks
    // A commit carries one join; any further ones (see Effects.joins) follow it, one commit each.
    const firstJoin = effects.joins.length > 0 ? effects.joins[0] : undefined
    if (firstJoin)
      commit.join = {
        scopeKey: firstJoin.scopeKey,
        index: firstJoin.index,
        output: firstJoin.output,
      }
    if (effects.end) {
      const now = clock.now()
      commit.run = { status: 'succeeded', output: effects.end.output, updatedAt: now, endedAt: now }
    }
  }

  /**
   * What follows a committed decision: publish its tasks, emit the step's step-end (`attempt`,
   * once committed and before anything that follows), end the run, or continue after joins.
   * Synchronous on the common path; returns a promise only when there is more to wait for.
   */
  const afterCommit = (
    plan: ExecutionPlan,
    runId: string,
    effects: Effects,
    result: Extract<CommitResult, { status: 'committed' }>,
    attempt: StepAttempt | undefined,
  ): Promise<void> | undefined => {
    if (effects.scopes.length > 0) cacheScopes(runId, effects.scopes)
    const published = effects.tasks.length > 0 ? publishTasks(effects.tasks) : undefined
    if (published !== undefined)
      return Promise.resolve(published).then(() =>
        afterPublish(plan, runId, effects, result, attempt),
      )
    return afterPublish(plan, runId, effects, result, attempt)
  }

  const afterPublish = (
    plan: ExecutionPlan,
    runId: string,
    effects: Effects,
    result: Extract<CommitResult, { status: 'committed' }>,
    attempt: StepAttempt | undefined,
  ): Promise<void> | undefined => {
    if (attempt !== undefined) emitStepEnd(attempt, 'succeeded', undefined)
    if (effects.end) {
      finishRun(runId, plan.workflow.id, 'succeeded', effects.end.output, undefined)
      return undefined
    }
    const joins = effects.joins
    if (joins.length === 0 || (joins.length === 1 && !isLastJoin(result.join))) return undefined
    return followJoins(plan, runId, joins, result.join)
  }

  /** Commits the further joins of a decision, then continues after every scope that completed. */
  const followJoins = async (
    plan: ExecutionPlan,
    runId: string,
    joins: Join[],
    first: JoinOutcome | undefined,
  ): Promise<void> => {
    const completed: [Join, JoinOutcome][] = []
    if (isLastJoin(first)) completed.push([joins[0]!, first])
    for (let index = 1; index < joins.length; index++) {
      const join = joins[index]!
      const joined = await store.commit({
        runId,
        join: { scopeKey: join.scopeKey, index: join.index, output: join.output },
      })
      if (joined.status !== 'committed') {
        refused(runId, joined)
        return
      }
      if (isLastJoin(joined.join)) completed.push([join, joined.join])
    }
    // The last child of a scope: continue the workflow after the join (once, by closeScope).
    for (const [join, outcome] of completed) {
      let next: Effects
      try {
        next = await decide(plan, runId, clock.now(), (decision) =>
          decision.completeScope(join.node, join.path, outcome),
        )
      } catch (error) {
        await failRun(plan, runId, { runId, closeScope: outcome.key }, error)
        return
      }
      await commitEffects(plan, runId, { runId, closeScope: outcome.key }, next)
    }
  }

  /** Commits a decision and what follows it; false when the store refused the commit. */
  const commitEffects = async (
    plan: ExecutionPlan,
    runId: string,
    commit: CommitInput,
    effects: Effects,
  ): Promise<boolean> => {
    fillCommit(commit, effects)
    const result = await store.commit(commit)
    if (result.status !== 'committed') {
      refused(runId, result)
      return false
    }
    const more = afterCommit(plan, runId, effects, result, undefined)
    if (more !== undefined) await more
    return true
  }

  /** A refused commit writes nothing; a run that another process ended settles this one's handle. */
  const refused = (runId: string, result: Exclude<CommitResult, { status: 'committed' }>) => {
    if (result.status === 'run-ended' && localRuns.has(runId)) endedElsewhere(result.run)
  }

  const endedElsewhere = (run: RunRecord) => {
    if (run.status === 'succeeded')
      finishRun(run.id, run.workflowId, 'succeeded', run.output, undefined)
    else
      finishRun(
        run.id,
        run.workflowId,
        run.status as 'failed' | 'cancelled',
        undefined,
        deserializeError(run.error ?? serializeError(new RunCancelledError({ runId: run.id }))),
      )
  }

  /** Fails the run; `beforeFinish` runs once committed, before run-end (e.g. the step's step-end). */
  const failRun = async (
    plan: ExecutionPlan,
    runId: string,
    commit: CommitInput,
    error: unknown,
    beforeFinish?: () => void,
  ) => {
    const now = clock.now()
    const result = await store.commit({
      ...commit,
      run: { status: 'failed', error: serializeError(error), updatedAt: now, endedAt: now },
    })
    if (result.status !== 'committed') return false
    beforeFinish?.()
    finishRun(runId, plan.workflow.id, 'failed', undefined, error)
    return true
  }

  // ── executing tasks ─────────────────────────────────────────────────────────────────────────
  /**
   * Renews a running task's lease every third of the lease, so that recovery (here or in another
   * process) does not hand a long step to a second worker while the first is still at it.
   */
  const heartbeat = (task: TaskRecord): (() => void) => {
    let stopped = false
    let timer: unknown
    const schedule = () => {
      timer = clock.setTimeout(
        () => {
          store.renewTask({ taskId: task.id, fence: task.fence, leaseMs, now: clock.now() }).then(
            (held) => {
              // Not held: the run ended or the task went to another worker; its commit will say so.
              if (held && !stopped) schedule()
            },
            (error: unknown) => {
              logger.warn('Renewing a task lease failed; retrying', {
                runId: task.runId,
                taskId: task.id,
                error: serializeError(error),
              })
              if (!stopped) schedule()
            },
          )
        },
        Math.max(1, Math.floor(leaseMs / 3)),
      )
    }
    schedule()
    return () => {
      stopped = true
      clock.clearTimeout(timer)
    }
  }

  /**
   * One message: claim the task, run the step, commit the outcome. Written sync-first: with a
   * store that answers synchronously (the memory store) and a synchronous step, a whole step
   * costs no promise and no microtask; every phase that does get a promise continues from it.
   * The attempt's state lives in one `StepAttempt` instead of async frames.
   */
  const handleMessage = (message: QueueMessage): Promise<void> | undefined => {
    const now = clock.now()
    const claim = store.claimTask({ taskId: message.taskId, owner: workerId, leaseMs, now })
    if (claim instanceof Promise) return claim.then((claimed) => onClaim(message, claimed, now))
    return onClaim(message, claim, now)
  }

  const onClaim = (
    message: QueueMessage,
    claim: ClaimResult,
    now: number,
  ): Promise<void> | undefined => {
    if (claim.status !== 'claimed') {
      if (claim.status === 'not-ready')
        return promiseOf(queue.publish([{ ...message, availableAt: claim.availableAt }]))
      return undefined
    }
    const attempt = beginAttempt(claim.task, now)
    if (attempt === undefined) return undefined
    if (attempt.pending === undefined) return completeAttempt(attempt)
    // An asynchronous step without a timeout or lease to keep: continue straight from its promise.
    if (attempt.node.timeoutMs === undefined && !heartbeats) {
      return Promise.resolve(attempt.pending).then(
        (output) => {
          attempt.output = output
          return completeAttempt(attempt)
        },
        (error: unknown) => {
          attempt.failed = true
          attempt.failure = error
          return completeAttempt(attempt)
        },
      )
    }
    return settleAttempt(attempt).then(() => completeAttempt(attempt))
  }

  /** After the step returned: validate, decide what follows, commit it with the step. */
  const completeAttempt = (attempt: StepAttempt): Promise<void> | undefined => {
    endAttempt(attempt)
    if (attempt.failed) return onStepFailure(attempt)
    const { plan, task } = attempt
    const commit: CommitInput = {
      runId: task.runId,
      task: { id: task.id, fence: task.fence },
      step: {
        runId: task.runId,
        key: task.key,
        nodeId: attempt.node.id,
        path: task.path,
        status: 'succeeded',
        output: attempt.output,
        attempts: task.attempt,
        startedAt: attempt.startedAt,
        endedAt: attempt.endedAt,
      },
    }
    let decided: Effects | Promise<Effects>
    try {
      decided = decideCompletion(plan, attempt.node, task, attempt.output, attempt.endedAt)
    } catch (error) {
      return failAfterStep(attempt, commit, error)
    }
    if (decided instanceof Promise) {
      return decided.then(
        (effects) => commitAttempt(attempt, commit, effects),
        (error: unknown) => failAfterStep(attempt, commit, error),
      )
    }
    return commitAttempt(attempt, commit, decided)
  }

  /** The step succeeded but what follows cannot start (a map threw, no branch matched, …). */
  const failAfterStep = (attempt: StepAttempt, commit: CommitInput, error: unknown) =>
    failRun(attempt.plan, attempt.task.runId, commit, error, () =>
      emitStepEnd(attempt, 'succeeded', undefined),
    ).then(() => undefined)

  const commitAttempt = (
    attempt: StepAttempt,
    commit: CommitInput,
    effects: Effects,
  ): Promise<void> | undefined => {
    fillCommit(commit, effects)
    const result = store.commit(commit)
    if (result instanceof Promise)
      return result.then((committed) => afterAttempt(attempt, effects, committed))
    return afterAttempt(attempt, effects, result)
  }

  const afterAttempt = (
    attempt: StepAttempt,
    effects: Effects,
    result: CommitResult,
  ): Promise<void> | undefined => {
    if (result.status !== 'committed') {
      refused(attempt.task.runId, result)
      return undefined
    }
    return afterCommit(attempt.plan, attempt.task.runId, effects, result, attempt)
  }

  /** Starts a claimed task's attempt: runs the step up to its first await. */
  const beginAttempt = (task: TaskRecord, startedAt: number): StepAttempt | undefined => {
    const plan = planForTask(task)
    const node = plan?.byId.get(task.nodeId)
    if (!plan || !node || node.kind !== 'step') {
      logger.warn(
        'A task refers to a workflow version this worker does not have; it is left for another worker',
        {
          runId: task.runId,
          workflowId: task.workflowId,
          version: task.workflowVersion,
          nodeId: task.nodeId,
        },
      )
      void Promise.resolve(
        queue.publish([{ taskId: task.id, runId: task.runId, availableAt: clock.now() + leaseMs }]),
      ).catch((error: unknown) =>
        logger.error('Republishing a task failed; recovery will republish it', {
          taskId: task.id,
          error: serializeError(error),
        }),
      )
      return undefined
    }
    const execution = new StepExecution(
      task.input,
      task.attempt,
      task.key,
      task.runId,
      node.workflowId,
      node.id,
      logger,
    )
    execution.slot = running.length
    running.push(execution)
    const attempt = new StepAttempt(task, plan, node, execution, startedAt)
    if (listening('step-start', task.runId)) {
      emit('step-start', {
        type: 'step-start',
        runId: task.runId,
        workflowId: plan.workflow.id,
        stepId: node.id,
        key: task.key,
        attempt: task.attempt,
        at: startedAt,
        input: task.input,
      })
    }
    if (tracer) {
      attempt.span = tracer.startSpan(
        `step ${node.id}`,
        {
          'tessera.run_id': task.runId,
          'tessera.step_id': node.id,
          'tessera.attempt': task.attempt,
        },
        localRuns.get(task.runId)?.span,
      )
    }
    try {
      ;(execution as { input: unknown }).input = validateStepValue(
        node.step.inputSchema,
        task.input,
        node.workflowId,
        node.id,
        'input',
      )
      const result = node.step.run(execution)
      if (isThenable(result)) attempt.pending = result
      else attempt.output = result
    } catch (error) {
      attempt.failed = true
      attempt.failure = error
    }
    return attempt
  }

  /** Waits for an asynchronous step, with its timeout and lease heartbeat. */
  const settleAttempt = async (attempt: StepAttempt): Promise<void> => {
    const { node, task, execution } = attempt
    const stopHeartbeat = heartbeats ? heartbeat(task) : undefined
    let timer: unknown
    try {
      if (node.timeoutMs !== undefined) {
        const timeoutMs = node.timeoutMs
        timer = clock.setTimeout(
          () => execution.abort(new StepTimeoutError({ stepId: node.id, timeoutMs })),
          timeoutMs,
        )
        attempt.output = await Promise.race([attempt.pending, execution.whenAborted()])
      } else {
        attempt.output = await attempt.pending
      }
    } catch (error) {
      attempt.failed = true
      attempt.failure = error
    } finally {
      if (timer !== undefined) clock.clearTimeout(timer)
      stopHeartbeat?.()
    }
  }

  /** Ends an attempt: validates the output, releases the execution, closes the span. */
  const endAttempt = (attempt: StepAttempt) => {
    const { node, execution } = attempt
    if (!attempt.failed) {
      try {
        attempt.output = validateStepValue(
          node.step.outputSchema,
          attempt.output,
          node.workflowId,
          node.id,
          'output',
        )
      } catch (error) {
        attempt.failed = true
        attempt.failure = error
      }
    }
    // Swap-remove: a Map or Set that keeps emptying makes V8 shrink it on every delete.
    const last = running.pop()!
    if (last !== execution) {
      running[execution.slot] = last
      last.slot = execution.slot
    }
    const span = attempt.span
    if (span) {
      if (attempt.failed) {
        const failure = attempt.failure
        span.fail(failure instanceof Error ? failure.message : String(failure))
      }
      span.end()
    }
    attempt.endedAt = clock.now()
  }

  const onStepFailure = async (attempt: StepAttempt) => {
    const { plan, node, task, startedAt, endedAt } = attempt
    const error = attempt.failure
    const cancelled = RunCancelledError.isInstance(error)
    const retryable = !cancelled && isRetryable(error) && task.attempt < node.retry.attempts
    const serialized = serializeError(error)
    if (retryable) {
      const delayMs = retryDelay(node.retry, task.attempt + 1)
      const availableAt = clock.now() + delayMs
      const result = await store.commit({
        runId: task.runId,
        task: { id: task.id, fence: task.fence },
        retry: { attempt: task.attempt + 1, availableAt, error: serialized },
      })
      if (result.status !== 'committed') return
      if (listening('step-retry', task.runId)) {
        emit('step-retry', {
          type: 'step-retry',
          runId: task.runId,
          workflowId: plan.workflow.id,
          stepId: node.id,
          key: task.key,
          attempt: task.attempt,
          at: endedAt,
          error: serialized,
          delayMs,
        })
      }
      await queue.publish([{ taskId: task.id, runId: task.runId, availableAt }])
      return
    }
    if (cancelled) return
    const runError =
      ValidationError.isInstance(error) || ControlFlowError.isInstance(error)
        ? error
        : new StepFailedError({
            workflowId: node.workflowId,
            stepId: node.id,
            attempts: task.attempt,
            cause: error,
          })
    const step: StepRecord = {
      runId: task.runId,
      key: task.key,
      nodeId: node.id,
      path: task.path,
      status: 'failed',
      error: serialized,
      attempts: task.attempt,
      startedAt,
      endedAt,
    }
    const now = clock.now()
    const result = await store.commit({
      runId: task.runId,
      task: { id: task.id, fence: task.fence },
      step,
      run: { status: 'failed', error: serializeError(runError), updatedAt: now, endedAt: now },
    })
    if (result.status !== 'committed') return
    emitStepEnd(attempt, 'failed', serialized)
    finishRun(task.runId, plan.workflow.id, 'failed', undefined, runError)
  }

  const emitStepEnd = (
    attempt: StepAttempt,
    status: 'succeeded' | 'failed',
    error: ReturnType<typeof serializeError> | undefined,
  ) => {
    const { task } = attempt
    if (!listening('step-end', task.runId)) return
    emit('step-end', {
      type: 'step-end',
      runId: task.runId,
      workflowId: attempt.plan.workflow.id,
      stepId: attempt.node.id,
      key: task.key,
      attempt: task.attempt,
      at: attempt.endedAt,
      status,
      ...(status === 'succeeded' ? { output: attempt.output } : { error }),
      durationMs: attempt.endedAt - attempt.startedAt,
    })
  }

  // ── handles ─────────────────────────────────────────────────────────────────────────────────
  const backend: RunHandleBackend = {
    emitterFor(runId) {
      let runEmitter = runEmitters.get(runId)
      if (!runEmitter) {
        runEmitter = new EventEmitter()
        runEmitters.set(runId, runEmitter)
      }
      return runEmitter
    },
    async result(runId, known) {
      const local = (known as LocalRun | undefined) ?? localRuns.get(runId)
      if (local) return localResult(runId, local)
      for (;;) {
        const run = await store.getRun(runId)
        if (!run) throw new NotFoundError({ kind: 'run', id: runId })
        if (run.status === 'succeeded') return run.output
        if (terminalRunStatuses.has(run.status))
          throw deserializeError(
            run.error ??
              serializeError(
                new TesseraError('internal', `Run "${runId}" ended with status ${run.status}`),
              ),
          )
        const again = localRuns.get(runId)
        if (again) return localResult(runId, again)
        await new Promise((resolve) => clock.setTimeout(() => resolve(undefined), pollMs))
      }
    },
    cancel: (runId, reason) => cancel(runId, reason),
    async record(runId) {
      const run = await store.getRun(runId)
      if (!run) throw new NotFoundError({ kind: 'run', id: runId })
      return run
    },
    async steps(runId) {
      const history = await store.getRunHistory(runId)
      if (!history) throw new NotFoundError({ kind: 'run', id: runId })
      return history.steps
    },
  }

  // ── public operations ───────────────────────────────────────────────────────────────────────
  async function start(
    workflowOrId: Workflow | string,
    input: unknown,
    startOptions: StartOptions = {},
  ): Promise<RunHandle<any>> {
    if (closed) throw new ConflictError('The engine is closed')
    const workflow =
      typeof workflowOrId === 'string' ? registry.workflows.require(workflowOrId) : workflowOrId
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
    const parsed = validateWith(workflow.inputSchema, input, {
      workflowId: workflow.id,
      target: 'input',
    })
    const runId = startOptions.runId ?? newId()
    const now = clock.now()
    let effects: Effects | undefined
    let startError: unknown
    try {
      effects = await decide(plan, runId, now, (decision) =>
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
    const created = await store.createRun({
      run: record,
      tasks: effects?.tasks ?? [],
      scopes: effects?.scopes ?? [],
    })
    if (!created.created) return handleFor(created.run.id, created.run.workflowId, false)

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
    const handle = handleFor(runId, workflow.id, true)
    // Deliver the first events after the caller has had a chance to attach listeners.
    scheduleSoon(() => {
      const local = localRuns.get(runId)
      // Ended already (cancelled before its first events): nothing left to announce or queue.
      if (!local) return
      announceStart(runId, local)
      if (status === 'succeeded')
        finishRun(runId, workflow.id, 'succeeded', effects!.end!.output, undefined)
      else if (status === 'failed') finishRun(runId, workflow.id, 'failed', undefined, startError)
      else {
        cacheScopes(runId, effects!.scopes)
        void Promise.resolve(publishTasks(effects!.tasks)).catch((error: unknown) =>
          logger.error('Publishing the first tasks failed; recovery will republish them', {
            runId,
            error: serializeError(error),
          }),
        )
      }
    })
    return handle
  }

  const cancel = async (runId: string, reason?: string) => {
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
    finishRun(runId, run?.workflowId ?? '', 'cancelled', undefined, error)
  }

  const recover = async (): Promise<number> => {
    const now = clock.now()
    const stale = await store.listStaleTasks({ now, olderThan: staleAfterMs, limit: 1000 })
    await publishTasks(
      stale.map((task) => ({ ...task, availableAt: Math.max(task.availableAt, now) })),
    )
    if (stale.length > 0) logger.info('Republished lost tasks', { count: stale.length })
    return stale.length
  }

  // ── wiring ──────────────────────────────────────────────────────────────────────────────────
  for (const plugin of options.plugins ?? []) register(plugin)
  for (const workflow of options.workflows ?? []) register(workflow)
  /** A failure outside any step (the store or queue failed): logged, then redelivered. */
  const deliveryFailed = (message: QueueMessage, error: unknown): never => {
    logger.error('Handling a task failed; the queue will deliver it again', {
      runId: message.runId,
      taskId: message.taskId,
      error: serializeError(error),
    })
    throw error
  }
  const handleDelivery = (message: QueueMessage): Promise<void> | undefined => {
    let settled: Promise<void> | undefined
    try {
      settled = handleMessage(message)
    } catch (error) {
      deliveryFailed(message, error)
    }
    return settled === undefined
      ? undefined
      : settled.catch((error: unknown) => deliveryFailed(message, error))
  }
  if (workerOptions) consumer = queue.consume(handleDelivery, { concurrency })
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
            if (!closed) tick()
          })
      }, interval)
      ;(recoveryTimer as { unref?: () => void }).unref?.()
    }
    tick()
  }

  const engine: Engine = {
    id: engineId,
    registry,
    store,
    queue,
    register,
    registerDefinition(definition) {
      const workflow = workflowFromDefinition(definition, { registry })
      planFor(workflow)
      return workflow
    },
    start: start as Engine['start'],
    async getRun(runId) {
      const run = await store.getRun(runId)
      if (!run) throw new NotFoundError({ kind: 'run', id: runId })
      return handleFor(run.id, run.workflowId, false)
    },
    listRuns: (query) => store.listRuns(query),
    cancel,
    recover,
    on(event, listener) {
      emitter.on(event, listener as (event: unknown) => void)
      return engine
    },
    off(event, listener) {
      emitter.off(event, listener as (event: unknown) => void)
      return engine
    },
    async close() {
      if (closed) return
      closed = true
      if (recoveryTimer !== undefined) clock.clearTimeout(recoveryTimer)
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
  return engine
}

/** One step attempt's state, from its claim to its commit. */
class StepAttempt {
  /** The step's promise, while an asynchronous step runs. */
  pending: PromiseLike<unknown> | undefined = undefined
  output: unknown = undefined
  failed = false
  failure: unknown = undefined
  endedAt = 0
  span: TraceSpan | undefined = undefined
  constructor(
    readonly task: TaskRecord,
    readonly plan: ExecutionPlan,
    readonly node: Extract<PlanNode, { kind: 'step' }>,
    readonly execution: StepExecution,
    readonly startedAt: number,
  ) {}
}

/** A promise for a value that may already be there (publish may answer synchronously). */
function promiseOf(value: Promise<void> | void): Promise<void> | undefined {
  return value instanceof Promise ? value : undefined
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

/** True for the join outcome of the commit that completed its scope (and nobody continued it yet). */
function isLastJoin(join: JoinOutcome | undefined): join is JoinOutcome {
  return join !== undefined && join.completed === join.expected && !join.closed
}

function isRetryable(error: unknown): boolean {
  if (TesseraError.isInstance(error)) return error.retryable
  return true
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
