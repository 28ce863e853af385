import type { RunEvent, RunEventError } from './run-event'

/**
 * The status the run viewer shows for a node.
 *
 * @example
 * ```ts
 * const status: RunNodeStatus = views.get('fetch-order')?.status ?? 'pending'
 * ```
 */
export type RunNodeStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'suspended'

/**
 * The status of a whole run.
 *
 * @example
 * ```ts
 * const status: RunStatus = runStateFromEvents(events).status // 'succeeded'
 * ```
 */
export type RunStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled'

/**
 * One instance of a node in a run (a foreach or loop runs its body once per key).
 *
 * @example
 * ```ts
 * const instance: RunInstanceState | undefined = state.instances['notify#0']
 * instance?.durationMs
 * ```
 */
export interface RunInstanceState {
  /** The instance key (`stepId` or `stepId#i`). */
  key: string
  /** The event's step id (the definition node id, or `workflowNodeId/…` inside a child workflow). */
  stepId: string
  status: RunNodeStatus
  /** Attempts begun so far. */
  attempts: number
  /** When the first attempt began (epoch ms). */
  startedAt?: number
  /** When the instance ended, or last failed (epoch ms). */
  endedAt?: number
  /** The last attempt's duration, from `step-end`. */
  durationMs?: number
  input?: unknown
  output?: unknown
  /** The last error (a failed attempt that was retried keeps it until the instance ends well). */
  error?: RunEventError
  /** What a suspended instance waits for. */
  wait?: { kind: string; name: string }
}

/**
 * What the run viewer knows about a run, built from its events by {@link reduceRunEvent}.
 *
 * @example
 * ```ts
 * const state: RunState = runStateFromEvents(events)
 * state.status // 'running'
 * ```
 */
export interface RunState {
  runId?: string
  workflowId?: string
  status: RunStatus
  startedAt?: number
  endedAt?: number
  input?: unknown
  output?: unknown
  error?: RunEventError
  /** Instances by key, in the order they first appeared. */
  instances: Record<string, RunInstanceState>
}

/**
 * The state of a run before any event.
 *
 * @example
 * ```ts
 * const state = events.reduce(reduceRunEvent, createRunState())
 * ```
 */
export function createRunState(): RunState {
  return { status: 'pending', instances: {} }
}

/**
 * Applies one engine event to a run state and returns the new state (the old one is left as it
 * was, so it suits React's `useReducer`). Events of other runs are ignored once a run is known.
 *
 * @example
 * ```ts
 * let state = createRunState()
 * engine.on('step-end', (event) => { state = reduceRunEvent(state, event) })
 * ```
 */
export function reduceRunEvent(state: RunState, event: RunEvent): RunState {
  if (state.runId !== undefined && event.runId !== state.runId) return state
  const known =
    state.runId === undefined ? { runId: event.runId, workflowId: event.workflowId } : {}
  switch (event.type) {
    case 'run-start':
      return {
        ...state,
        ...known,
        status: state.status === 'pending' ? 'running' : state.status,
        startedAt: event.at,
        input: event.input,
      }
    case 'run-end':
      return {
        ...state,
        ...known,
        status: event.status,
        endedAt: event.at,
        output: event.output,
        error: event.error,
      }
    default: {
      const previous = state.instances[event.key]
      const instance = applyStepEvent(
        previous ?? { key: event.key, stepId: event.stepId, status: 'pending', attempts: 0 },
        event,
      )
      return {
        ...state,
        ...known,
        status: state.status === 'pending' ? 'running' : state.status,
        instances: { ...state.instances, [event.key]: instance },
      }
    }
  }
}

/**
 * The state after all of `events`, in order.
 *
 * @example
 * ```ts
 * const state = runStateFromEvents(recordedEvents)
 * state.instances['fetch-order'].status // 'succeeded'
 * ```
 */
export function runStateFromEvents(events: readonly RunEvent[]): RunState {
  let state = createRunState()
  for (const event of events) state = reduceRunEvent(state, event)
  return state
}

function applyStepEvent(
  instance: RunInstanceState,
  event: Exclude<RunEvent, { type: 'run-start' | 'run-end' }>,
): RunInstanceState {
  const attempts = Math.max(instance.attempts, event.attempt)
  switch (event.type) {
    case 'step-start':
      return {
        ...instance,
        status: 'running',
        attempts,
        startedAt: instance.startedAt ?? event.at,
        endedAt: undefined,
        input: event.input,
        wait: undefined,
      }
    case 'step-end':
      return {
        ...instance,
        status: event.status,
        attempts,
        startedAt: instance.startedAt ?? event.at - event.durationMs,
        endedAt: event.at,
        durationMs: event.durationMs,
        output: event.output,
        error: event.status === 'failed' ? event.error : undefined,
        wait: undefined,
      }
    case 'step-retry':
      // The attempt failed and another is scheduled: the instance is still in progress.
      return { ...instance, status: 'running', attempts, endedAt: event.at, error: event.error }
    case 'step-suspend':
      return { ...instance, status: 'suspended', attempts, wait: event.wait }
  }
}
