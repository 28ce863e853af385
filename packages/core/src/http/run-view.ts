import type { RunHistory, RunRecord, StepRecord } from '../ports/store-v1'
import type { AccessControl, Principal } from './types'

interface Viewer {
  access: AccessControl
  principal: Principal
}

/** The JSON shape of a run in answers (see `runResponse` in http-schemas). */
export interface RunView {
  id: string
  workflowId: string
  workflowVersion: RunRecord['workflowVersion']
  status: RunRecord['status']
  input: unknown
  output?: unknown
  error?: RunRecord['error']
  idempotencyKey?: string
  createdAt: number
  updatedAt: number
  endedAt?: number
}

/** A step record as the API returns it. */
export interface StepView {
  key: string
  nodeId: string
  status: StepRecord['status']
  output?: unknown
  error?: StepRecord['error']
  attempts: number
  startedAt: StepRecord['startedAt']
  endedAt: StepRecord['endedAt']
}

// Each view is one object literal with every key, absent ones `undefined` (which JSON leaves
// out): a literal gets all its properties in the object itself, where keys added one by one
// afterwards would go to a separate backing store. A view is made for every run and step of
// every answer. The key order is the answer's.

/** A run as the API returns it: input and output masked for the viewer. */
export function runView(run: RunRecord, viewer: Viewer): RunView {
  const { access, principal } = viewer
  const workflowId = run.workflowId
  return {
    id: run.id,
    workflowId,
    workflowVersion: run.workflowVersion,
    status: run.status,
    input: access.mask(principal, run.input, { workflowId, part: 'input' }),
    output:
      run.output === undefined
        ? undefined
        : access.mask(principal, run.output, { workflowId, part: 'output' }),
    error: run.error,
    idempotencyKey: run.idempotencyKey,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    endedAt: run.endedAt,
  }
}

/** A step record as the API returns it (its output masked; its failed input left out). */
export function stepView(step: StepRecord, workflowId: string, viewer: Viewer): StepView {
  return {
    key: step.key,
    nodeId: step.nodeId,
    status: step.status,
    output:
      step.output === undefined
        ? undefined
        : viewer.access.mask(viewer.principal, step.output, { workflowId, part: 'step-output' }),
    error: step.error,
    attempts: step.attempts,
    startedAt: step.startedAt,
    endedAt: step.endedAt,
  }
}

/** What a run waits for: its unresolved waiting tasks (approvals, events, timers). */
export function waitingOf(history: RunHistory) {
  const waiting: {
    kind: 'sleep' | 'event' | 'approval'
    name?: string
    key: string
    until?: number
  }[] = []
  for (const task of history.tasks) {
    if (!task.wait || task.wait.resolution) continue
    waiting.push({
      kind: task.wait.kind,
      ...(task.wait.name !== undefined ? { name: task.wait.name } : {}),
      key: task.key,
      ...(task.availableAt < 8_640_000_000_000_000 ? { until: task.availableAt } : {}),
    })
  }
  return waiting
}
