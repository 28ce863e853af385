import { ControlFlowError } from '../errors/control-flow-error'
import { serializeError } from '../errors/error-json'
import { RunCancelledError } from '../errors/run-cancelled-error'
import { StepFailedError } from '../errors/step-failed-error'
import { StepTimeoutError } from '../errors/step-timeout-error'
import { TesseraError, type SerializedError } from '../errors/tessera-error'
import { ValidationError } from '../errors/validation-error'
import { WaitTimeoutError } from '../errors/wait-timeout-error'
import type { QueueMessage } from '../ports/queue-v1'
import {
  waitForever,
  type ClaimResult,
  type CommitInput,
  type CommitResult,
  type StepRecord,
  type TaskRecord,
} from '../ports/store-v1'
import type { Effects } from './decider'
import type { EngineCore } from './engine-core'
import type { ExecutionPlan } from './plan'
import { isThenable } from './is-thenable'
import { retryAfterOf, retryDelay } from './retry-policy'
import { StepAttempt } from './step-attempt'
import { StepExecution, type JournalHost } from './step-execution'
import { StepSuspension } from './step-suspension'
import { validateStepValue } from './validate'

/**
 * One queue message to one committed step outcome: claim, run (with validation, timeout,
 * heartbeat), decide what follows and commit it, or schedule a retry, or fail the run.
 */
export function createStepPipeline(core: EngineCore) {
  const { store, queue, clock, logger, tracer, leaseMs, workerId, heartbeats, localRuns, running } =
    core
  const journalHost: JournalHost = { store, clock, secrets: core.secrets }

  // ── executing tasks ─────────────────────────────────────────────────────────────────────────
  /**
   * Renews a running task's lease every third of the lease, so that recovery (here or in another
   * process) does not hand a long step to a second worker while the first is still at it.
   */
  const heartbeat = (task: TaskRecord): (() => void) => {
    let stopped = false
    let timer: unknown
    // The first renewal comes before half of what is left of the lease: a task claimed through a
    // slow round trip (or leased in advance) may arrive with much less than a full lease.
    const third = Math.max(1, Math.floor(leaseMs / 3))
    let first =
      task.leaseExpiresAt === undefined
        ? third
        : Math.max(1, Math.min(third, Math.floor((task.leaseExpiresAt - clock.now()) / 2)))
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
        first > 0 ? first : third,
      )
      first = 0
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
    // Claimed for this worker already (a store transport, or a successor this worker leased in
    // the commit that created it): run it, unless the lease ran out while it waited.
    const claimed = message.claimed
    if (
      claimed !== undefined &&
      (claimed.leaseExpiresAt ?? 0) > now &&
      (core.cancelled.size === 0 || !core.cancelled.has(claimed.runId))
    ) {
      return onClaim(message, { status: 'claimed', task: claimed }, now)
    }
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
    const { task } = claim
    const plan = core.planForTask(task)
    // A version this engine lacks: its stored definition, if there is one (looked up once).
    if (plan === undefined && core.resolvePlan !== undefined)
      return core.resolvePlan(task).then((found) => runClaimed(task, clock.now(), found))
    return runClaimed(task, now, plan)
  }

  const runClaimed = (
    task: TaskRecord,
    now: number,
    plan: ExecutionPlan | undefined,
  ): Promise<void> | undefined => {
    const attempt = beginAttempt(task, now, plan)
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
      decided = core.decideCompletion(plan, attempt.node, task, attempt.output, attempt.endedAt)
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
    core
      .failRun(attempt.plan, attempt.task.runId, commit, error, () =>
        emitStepEnd(attempt, 'succeeded', undefined),
      )
      .then(() => undefined)

  const commitAttempt = (
    attempt: StepAttempt,
    commit: CommitInput,
    effects: Effects,
  ): Promise<void> | undefined => {
    core.fillCommit(commit, effects)
    // The common sequential case: one runnable successor. This worker leases it in the same
    // commit and runs it without a claim round trip (one transaction per step).
    if (core.leaseSuccessors && effects.tasks.length === 1) {
      const next = effects.tasks[0]!
      if (next.wait === undefined && next.availableAt <= attempt.endedAt) {
        next.fence = 1
        next.leaseOwner = workerId
        next.leaseExpiresAt = attempt.endedAt + leaseMs
      }
    }
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
      core.refused(attempt.task.runId, result)
      return undefined
    }
    return core.afterCommit(attempt.plan, attempt.task.runId, effects, result, attempt)
  }

  /** Starts a claimed task's attempt: runs the step up to its first await. */
  const beginAttempt = (
    task: TaskRecord,
    startedAt: number,
    plan: ExecutionPlan | undefined,
  ): StepAttempt | undefined => {
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
    if (task.wait !== undefined) execution.wait = task.wait
    execution.task = task
    execution.host = journalHost
    execution.slot = running.length
    running.push(execution)
    const attempt = new StepAttempt(task, plan, node, execution, startedAt)
    if (core.listening('step-start', task.runId)) {
      core.emit('step-start', {
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

  /**
   * `context.approval()` found no decision: the step instance waits. Its task is replaced, in one
   * commit, by a waiting task of the same node, key, input and attempt; the run is suspended
   * until the decision (or the timeout) makes the new task available, and the step runs again.
   */
  const suspendStep = async (attempt: StepAttempt, suspension: StepSuspension) => {
    const { plan, node, task, endedAt } = attempt
    const now = clock.now()
    const waiting: TaskRecord = {
      id: `${task.runId}/${task.key}~a:${suspension.waitName}`,
      runId: task.runId,
      workflowId: task.workflowId,
      workflowVersion: task.workflowVersion,
      nodeId: task.nodeId,
      key: task.key,
      path: task.path,
      input: task.input,
      attempt: task.attempt,
      availableAt: suspension.timeoutMs === undefined ? waitForever : now + suspension.timeoutMs,
      fence: 0,
      wait: { kind: suspension.kind, name: suspension.waitName },
    }
    const result = await store.commit({
      runId: task.runId,
      task: { id: task.id, fence: task.fence },
      tasks: [waiting],
      run: { updatedAt: now },
      now,
    })
    if (result.status !== 'committed') {
      core.refused(task.runId, result)
      return
    }
    if (core.listening('step-suspend', task.runId)) {
      core.emit('step-suspend', {
        type: 'step-suspend',
        runId: task.runId,
        workflowId: plan.workflow.id,
        stepId: node.id,
        key: task.key,
        attempt: task.attempt,
        at: endedAt,
        wait: { kind: suspension.kind, name: suspension.waitName },
      })
    }
    if (suspension.timeoutMs !== undefined)
      await queue.publish([
        { taskId: waiting.id, runId: task.runId, availableAt: waiting.availableAt },
      ])
  }

  const onStepFailure = async (attempt: StepAttempt) => {
    const { plan, node, task, startedAt, endedAt } = attempt
    const error = attempt.failure
    if (error instanceof StepSuspension) return suspendStep(attempt, error)
    const cancelled = RunCancelledError.isInstance(error)
    const retryable = !cancelled && isRetryable(error) && task.attempt < node.retry.attempts
    const serialized = serializeError(error)
    if (retryable) {
      const delayMs = Math.max(retryDelay(node.retry, task.attempt + 1), retryAfterOf(error) ?? 0)
      const availableAt = clock.now() + delayMs
      const result = await store.commit({
        runId: task.runId,
        task: { id: task.id, fence: task.fence },
        retry: { attempt: task.attempt + 1, availableAt, error: serialized },
      })
      if (result.status !== 'committed') return
      if (core.listening('step-retry', task.runId)) {
        core.emit('step-retry', {
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
      ValidationError.isInstance(error) ||
      ControlFlowError.isInstance(error) ||
      WaitTimeoutError.isInstance(error)
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
      // Kept so that engine.retry(runId) can run the step again from here.
      input: task.input,
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
    core.finishRun(task.runId, plan.workflow.id, 'failed', undefined, runError)
  }

  const emitStepEnd = (
    attempt: StepAttempt,
    status: 'succeeded' | 'failed',
    error: SerializedError | undefined,
  ) => {
    const { task } = attempt
    if (!core.listening('step-end', task.runId)) return
    core.emit('step-end', {
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

  return { handleDelivery, emitStepEnd }
}

/** A promise for a value that may already be there (publish may answer synchronously). */
function promiseOf(value: Promise<void> | void): Promise<void> | undefined {
  return value instanceof Promise ? value : undefined
}

function isRetryable(error: unknown): boolean {
  if (TesseraError.isInstance(error)) return error.retryable
  return true
}
