import type { SerializedError } from '../errors/tessera-error'
import type { RunStatus } from '../ports/store-v1'

interface RunEventBase {
  runId: string
  workflowId: string
  /** Epoch ms. */
  at: number
}

/** A run was created and its first steps queued. */
export interface RunStartEvent extends RunEventBase {
  type: 'run-start'
  input: unknown
}

/** A run reached a terminal status. */
export interface RunEndEvent extends RunEventBase {
  type: 'run-end'
  status: Extract<RunStatus, 'succeeded' | 'failed' | 'cancelled'>
  output?: unknown
  error?: SerializedError
}

interface StepEventBase extends RunEventBase {
  /** The node id (a step's id, suffixed if the step appears more than once). */
  stepId: string
  /** The node instance key (`stepId` or `stepId#i` inside foreach/loop). */
  key: string
  attempt: number
}

/** A step attempt began. */
export interface StepStartEvent extends StepEventBase {
  type: 'step-start'
  input: unknown
}

/** A step attempt ended and its result was committed. */
export interface StepEndEvent extends StepEventBase {
  type: 'step-end'
  status: 'succeeded' | 'failed'
  output?: unknown
  error?: SerializedError
  durationMs: number
}

/** A step attempt failed and another is scheduled. */
export interface StepRetryEvent extends StepEventBase {
  type: 'step-retry'
  error: SerializedError
  /** Delay before the next attempt. */
  delayMs: number
}

/** A step waits inside its code (`context.approval()`); it runs again when the wait ends. */
export interface StepSuspendEvent extends StepEventBase {
  type: 'step-suspend'
  wait: { kind: 'approval'; name: string }
}

/** Every lifecycle event, by name. */
export interface EngineEventMap {
  'run-start': RunStartEvent
  'run-end': RunEndEvent
  'step-start': StepStartEvent
  'step-end': StepEndEvent
  'step-retry': StepRetryEvent
  'step-suspend': StepSuspendEvent
}

/** A lifecycle event name. */
export type EngineEventName = keyof EngineEventMap

/** Any lifecycle event. */
export type EngineEvent = EngineEventMap[EngineEventName]

/** eventemitter3's typed listener map. */
export type EngineEventListeners = { [K in EngineEventName]: (event: EngineEventMap[K]) => void }
