import { z } from 'zod'
import type { Step, StepContext } from '../builder/step'
import type { InlineFunction } from '../builder/workflow'
import { WaitTimeoutError } from '../errors/wait-timeout-error'
import type { TaskWait } from '../ports/store-v1'
import { validateWith } from './validate'

/** What a sleep, event or approval node needs at run time (compiled from its definition). */
export interface WaitPlan {
  kind: TaskWait['kind']
  /** Event name or approval id. */
  name?: string
  durationMs?: number
  /** sleep: returns a Date or epoch ms. */
  until?: InlineFunction
  /** event: returns the payload fields to match. */
  match?: InlineFunction
  timeoutMs?: number
  /** event: checks the payload; approval: checks the data of an approval. */
  schema?: z.ZodType
}

/** The context of a wait node's execution: the task's wait, with its resolution if any. */
export interface WaitContext extends StepContext<unknown> {
  readonly wait?: TaskWait
}

const anything = z.unknown()

/**
 * The step a wait node executes once its task is claimed (its timer fired or it was resolved):
 * a sleep passes its input on; an event wait outputs the payload (checked by its schema); an
 * approval outputs the decision. With no resolution, an event or approval wait timed out.
 */
export function waitStep(nodeId: string, plan: WaitPlan): Step {
  const run = (context: WaitContext): unknown => {
    if (plan.kind === 'sleep') return context.input
    const resolution = context.wait?.resolution
    if (resolution === undefined) {
      throw new WaitTimeoutError({ nodeId, kind: plan.kind, waitFor: plan.name ?? '' })
    }
    if (resolution.type === 'event') return resolution.payload
    const decision: Record<string, unknown> = { approved: resolution.approved, at: resolution.at }
    // Checked again here: an engine that did not know the workflow may have taken the decision.
    if (resolution.approved)
      decision.data = plan.schema
        ? validateWith(plan.schema, resolution.data, {
            workflowId: context.workflowId,
            stepId: nodeId,
            target: 'approval',
          })
        : resolution.data
    else if (resolution.reason !== undefined) decision.reason = resolution.reason
    if (resolution.by !== undefined) decision.by = resolution.by
    return decision
  }
  return {
    kind: 'step',
    id: nodeId,
    description: undefined,
    inputSchema: anything,
    outputSchema: plan.kind === 'event' && plan.schema ? plan.schema : anything,
    retry: undefined,
    timeoutMs: undefined,
    run: run as (context: StepContext<any>) => unknown,
  } as Step
}
