import type { z } from 'zod'
import type { ApprovalDecision } from '../builder/workflow-builder'
import { InvalidArgumentError } from '../errors/invalid-argument-error'
import { RunCancelledError } from '../errors/run-cancelled-error'
import { StoreError } from '../errors/store-error'
import { WaitTimeoutError } from '../errors/wait-timeout-error'
import type { Clock } from '../ports/clock'
import type { StepRecord, StoreV1, TaskRecord, WaitResolution } from '../ports/store-v1'
import { parseDuration, type Duration } from './duration'
import { StepSuspension } from './step-suspension'
import { validateWith } from './validate'

/**
 * The step journal: what `context.durable()` and `context.approval()` recorded for one step
 * instance. Entries are step records keyed `<step key>~d:<name>` (durable results) and
 * `<step key>~a:<name>` (approval decisions), committed without touching the step's task, so
 * they survive retries, crashes and suspensions, and are deleted with the run. A `~` never
 * appears in a node instance key, so entries cannot collide with steps.
 */
export class StepJournal {
  private entries: Promise<Map<string, unknown>> | undefined
  private readonly used = new Set<string>()

  constructor(
    private readonly store: StoreV1,
    private readonly clock: Clock,
    private readonly task: TaskRecord,
    private readonly nodeId: string,
  ) {}

  /**
   * Whether an earlier execution of this step instance may have written entries. A task's first
   * claim (fence 1) on its first attempt, not resumed from a wait, cannot have: then the journal
   * is known empty and costs no read.
   */
  private get mayHaveEntries(): boolean {
    const task = this.task
    return task.fence > 1 || task.attempt > 1 || task.wait !== undefined
  }

  private load(): Promise<Map<string, unknown>> {
    this.entries ??= this.mayHaveEntries ? this.read() : Promise.resolve(new Map())
    return this.entries
  }

  private async read(): Promise<Map<string, unknown>> {
    const history = await this.store.getRunHistory(this.task.runId)
    const entries = new Map<string, unknown>()
    const prefix = `${this.task.key}~`
    for (const step of history?.steps ?? []) {
      if (step.status === 'succeeded' && step.key.startsWith(prefix))
        entries.set(step.key, step.output)
    }
    return entries
  }

  private claimName(fn: string, name: unknown, kind: 'd' | 'a'): string {
    if (
      typeof name !== 'string' ||
      !/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/.test(name) ||
      name.length > 200
    ) {
      throw new InvalidArgumentError({
        fn,
        argument: 'name',
        expected: 'a non-empty string of letters, digits, "-", "_", "." or ":" (at most 200)',
        received: name,
      })
    }
    const key = `${this.task.key}~${kind}:${name}`
    if (this.used.has(key)) {
      throw new InvalidArgumentError({
        fn,
        argument: 'name',
        expected: `a name not used before in this execution of step "${this.nodeId}"`,
        received: name,
      })
    }
    this.used.add(key)
    return key
  }

  /** `context.durable(name, fn)`. */
  async durable<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
    const key = this.claimName('context.durable', name, 'd')
    if (typeof fn !== 'function') {
      throw new InvalidArgumentError({
        fn: 'context.durable',
        argument: 'fn',
        expected: 'a function',
        received: fn,
      })
    }
    const entries = await this.load()
    if (entries.has(key)) return unwrap(entries.get(key)) as T
    const startedAt = this.clock.now()
    const value = await fn()
    return unwrap(await this.record(key, wrap('context.durable', name, value), startedAt)) as T
  }

  /** `context.approval(name, options)`. */
  async approval<T>(
    name: string,
    options: { timeout?: Duration; schema?: z.ZodType<T> } = {},
  ): Promise<ApprovalDecision<T>> {
    const key = this.claimName('context.approval', name, 'a')
    const timeoutMs =
      options.timeout === undefined
        ? undefined
        : parseDuration(options.timeout, 'context.approval.timeout')
    const entries = await this.load()
    let decision: ApprovalDecision<unknown>
    if (entries.has(key)) {
      decision = entries.get(key) as ApprovalDecision<unknown>
    } else {
      const wait = this.task.wait
      if (wait?.kind !== 'approval' || wait.name !== name)
        throw new StepSuspension({ kind: 'approval', name, timeoutMs })
      if (wait.resolution === undefined || wait.resolution.type !== 'approval')
        throw new WaitTimeoutError({ nodeId: this.nodeId, kind: 'approval', waitFor: name })
      decision = (await this.record(
        key,
        decisionOf(wait.resolution),
        this.clock.now(),
      )) as ApprovalDecision<unknown>
    }
    if (decision.approved && options.schema) {
      return {
        ...decision,
        data: validateWith(options.schema, decision.data, {
          workflowId: this.task.workflowId,
          stepId: this.nodeId,
          target: 'approval',
        }),
      }
    }
    return decision as ApprovalDecision<T>
  }

  /** Commits one entry; when another attempt committed it first, its value wins. */
  private async record(key: string, output: unknown, startedAt: number): Promise<unknown> {
    const task = this.task
    const now = this.clock.now()
    const step: StepRecord = {
      runId: task.runId,
      key,
      nodeId: this.nodeId,
      path: task.path,
      status: 'succeeded',
      output,
      attempts: task.attempt,
      startedAt,
      endedAt: now,
    }
    const result = await this.store.commit({ runId: task.runId, step, now })
    if (result.status === 'committed') return output
    if (result.status === 'run-ended') {
      throw new RunCancelledError({
        runId: task.runId,
        reason: `the run ended (${result.run.status}) while step "${this.nodeId}" was running`,
      })
    }
    // A duplicate: another attempt recorded this entry first. Its value is the one.
    this.entries = undefined
    const entries = await this.read()
    this.entries = Promise.resolve(entries)
    if (!entries.has(key)) {
      throw new StoreError(
        this.store.provider,
        `refused journal entry "${key}" of run "${task.runId}" as a duplicate but does not return it`,
      )
    }
    return entries.get(key)
  }
}

/** Stored as `{ value }` so that `undefined` survives; checked to be JSON first. */
function wrap(fn: string, name: string, value: unknown): { value?: unknown } {
  if (value === undefined) return {}
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (error) {
    throw new InvalidArgumentError({
      fn,
      argument: `result of "${name}"`,
      expected: `a JSON-serialisable value (${error instanceof Error ? error.message : String(error)})`,
      received: value,
    })
  }
  if (text === undefined) {
    throw new InvalidArgumentError({
      fn,
      argument: `result of "${name}"`,
      expected: 'a JSON-serialisable value',
      received: value,
    })
  }
  return { value: JSON.parse(text) as unknown }
}

function unwrap(output: unknown): unknown {
  return (output as { value?: unknown } | undefined)?.value
}

function decisionOf(
  resolution: Extract<WaitResolution, { type: 'approval' }>,
): ApprovalDecision<unknown> {
  const decision: Record<string, unknown> = {
    approved: resolution.approved,
    at: resolution.at,
  }
  if (resolution.approved) decision.data = resolution.data ?? null
  else if (resolution.reason !== undefined) decision.reason = resolution.reason
  if (resolution.by !== undefined) decision.by = resolution.by
  return decision as ApprovalDecision<unknown>
}
