import type { TraceSpan } from '../ports/tracer'
import type { TaskRecord } from '../ports/store-v1'
import type { ExecutionPlan, PlanNode } from './plan'
import type { StepExecution } from './step-execution'

/** One step attempt's state, from its claim to its commit. */
export class StepAttempt {
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
