import EventEmitter from 'eventemitter3'
import { deserializeError, serializeError } from '../errors/error-json'
import { NotFoundError } from '../errors/not-found-error'
import { RunCancelledError } from '../errors/run-cancelled-error'
import { TesseraError } from '../errors/tessera-error'
import { terminalRunStatuses, type RunRecord } from '../ports/store-v1'
import type { EngineCore, LocalRun } from './engine-core'
import type { EngineEventMap, EngineEventName } from './events'
import { RunHandle, type RunHandleBackend } from './run-handle'

/**
 * Runs as this process sees them: events to engine and run listeners, the promises behind
 * `run.result()`, and the end of a run (events, span, abort of its running steps).
 */
export function createRunTracker(core: EngineCore) {
  const { store, clock, logger, emitter, runEmitters, localRuns, scopeCache, running, pollMs } =
    core

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
    if (core.hasWorker && !store.capabilities.shared) return local.promise
    local.watch ??= (async () => {
      // Another process may end the run (a shared store): look now and then. Not at once: a
      // run this process executes usually ends here first, and then nothing is read at all.
      for (;;) {
        await new Promise((resolve) => clock.setTimeout(() => resolve(undefined), pollMs))
        if (core.closed || localRuns.get(runId) !== local) return
        const run = await store.getRun(runId)
        if (run && terminalRunStatuses.has(run.status)) {
          if (localRuns.get(runId) === local) endedElsewhere(run)
          return
        }
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
    cancel: (runId, reason) => core.cancel(runId, reason),
    decide: (runId, approvalId, approved, value, options) =>
      core.decideApproval(runId, approvalId, approved, value, options),
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

  return { listening, emit, announceStart, handleFor, finishRun, endedElsewhere }
}
