import type { RunHistory, RunRecord, StepRecord } from '../ports/store-v1'
import type { AccessControl, Principal } from './types'

interface Viewer {
  access: AccessControl
  principal: Principal
}

/** A run as the API returns it: input and output masked for the viewer. */
export function runView(run: RunRecord, viewer: Viewer) {
  const where = { workflowId: run.workflowId }
  return {
    id: run.id,
    workflowId: run.workflowId,
    workflowVersion: run.workflowVersion,
    status: run.status,
    input: viewer.access.mask(viewer.principal, run.input, { ...where, part: 'input' }),
    ...(run.output !== undefined
      ? { output: viewer.access.mask(viewer.principal, run.output, { ...where, part: 'output' }) }
      : {}),
    ...(run.error !== undefined ? { error: run.error } : {}),
    ...(run.idempotencyKey !== undefined ? { idempotencyKey: run.idempotencyKey } : {}),
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    ...(run.endedAt !== undefined ? { endedAt: run.endedAt } : {}),
  }
}

/** A step record as the API returns it (its output masked; its failed input left out). */
export function stepView(step: StepRecord, workflowId: string, viewer: Viewer) {
  return {
    key: step.key,
    nodeId: step.nodeId,
    status: step.status,
    ...(step.output !== undefined
      ? {
          output: viewer.access.mask(viewer.principal, step.output, {
            workflowId,
            part: 'step-output',
          }),
        }
      : {}),
    ...(step.error !== undefined ? { error: step.error } : {}),
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
