import { ControlFlowError } from '../errors/control-flow-error'
import { waitForever, type ScopeRecord, type TaskRecord } from '../ports/store-v1'
import type { ExecutionPlan, PlanNode } from './plan'
import { isThenable } from './is-thenable'
import { validateWith } from './validate'
import type { WaitPlan } from './wait-steps'
import type { InlineFunction } from '../builder/workflow'
import {
  describeExpressionError,
  expressionOf,
  ExpressionMiss,
  type ExpressionResults,
} from './expression-function'

const describe = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value

/** The unique key of a node instance: its id, plus the foreach/loop index path if any. */
export function instanceKey(nodeId: string, path: readonly number[]): string {
  return path.length === 0 ? nodeId : `${nodeId}#${path.join('.')}`
}

/** The shared empty array of effects that have none (never written to). */
const none: never[] = Object.freeze([]) as never[]

/** A scope whose children have all completed: how many, and their outputs by index. */
export interface CompletedScope {
  expected: number
  results?: Record<number, unknown>
}

/** Thrown by the decider when it needs a scope that is neither opened in this change nor cached. */
export class ScopeMiss {
  constructor(readonly key: string) {}
}

/** A child's completion in a scope opened by an earlier commit. */
export interface Join {
  scopeKey: string
  index: number
  output: unknown
  node: PlanNode
  path: number[]
}

/** Everything one decision produces, committed by the engine (the first join with the rest). */
export interface Effects {
  tasks: TaskRecord[]
  /** Scopes opened by this change (joins resolved locally are already filled in). */
  scopes: ScopeRecord[]
  /**
   * Completions in scopes opened by earlier commits. Usually one; more when the completion of a
   * foreach item starts the next item and that one completes at once (a body without steps).
   */
  joins: Join[]
  /** The run's end, when the decision reached it. */
  end?: { status: 'succeeded'; output: unknown }
}

/** What the decider needs besides the plan. */
export interface DecisionContext {
  plan: ExecutionPlan
  runId: string
  now: number
  /** Scopes of this run known from earlier commits (the engine's cache), by key. */
  scopes: Map<string, ScopeRecord> | undefined
  /** Expressions evaluated for this decision so far (see {@link ExpressionMiss}). */
  expressions?: ExpressionResults
}

/**
 * The run's control logic, as a pure function of the plan and the completed node: it opens
 * scopes, creates tasks, resolves joins and ends the run. It never performs I/O; the engine
 * commits what it returns. Inline functions (map, branch conditions, loop `until`) run here and
 * must be deterministic.
 */
export class Decision {
  // Arrays are allocated on first use: most decisions create one task and nothing else.
  readonly effects: Effects = { tasks: none, scopes: none, joins: none }
  private local: Map<string, ScopeRecord> | undefined
  /** Work deferred by {@link defer}; drained by the outermost public call. */
  private deferred: (() => void)[] | undefined
  private driving = false

  constructor(private readonly context: DecisionContext) {}

  /** Starts `node` with `input`. */
  enter(node: PlanNode, input: unknown, path: number[]): void {
    if (!this.driving) {
      // The outermost call: run, then the work it deferred (no closure on the hot path).
      this.driving = true
      try {
        this.enter(node, input, path)
        this.drainDeferred()
      } finally {
        this.driving = false
        this.deferred = undefined
      }
      return
    }
    const { plan } = this.context
    switch (node.kind) {
      case 'step': {
        if (this.effects.tasks === none) this.effects.tasks = []
        const task: TaskRecord = {
          id: `${this.context.runId}/${instanceKey(node.id, path)}`,
          runId: this.context.runId,
          workflowId: plan.workflow.id,
          workflowVersion: plan.workflow.version,
          nodeId: node.id,
          key: instanceKey(node.id, path),
          path,
          input,
          attempt: 1,
          availableAt: this.context.now,
          fence: 0,
        }
        if (node.wait !== undefined) this.waitFor(node, node.wait, task)
        this.effects.tasks.push(task)
        return
      }
      case 'code': {
        const output = this.call(node, node.fn, {
          input,
          runId: this.context.runId,
          workflowId: node.workflowId,
        })
        if (isThenable(output)) {
          // The run fails here; a rejection of the ignored promise must not crash the host.
          ;(output as PromiseLike<unknown>).then(undefined, () => undefined)
          throw new ControlFlowError({
            workflowId: node.workflowId,
            nodeId: node.id,
            reason: 'function_threw',
            message: 'map functions must be synchronous (it returned a promise); do I/O in a step',
          })
        }
        this.complete(node, path, output)
        return
      }
      case 'sequence': {
        const first = node.children[0]
        if (first === undefined) this.complete(node, path, input)
        else this.enter(plan.nodes[first]!, input, path)
        return
      }
      case 'parallel': {
        if (node.children.length === 0) return this.complete(node, path, {})
        this.open(node, path, node.children.length, undefined)
        for (const child of node.children) this.enter(plan.nodes[child]!, input, path)
        return
      }
      case 'branch': {
        const index = node.conditions.findIndex((condition) =>
          this.predicate(node, 'branch condition', condition, { input }),
        )
        if (index === -1) {
          throw new ControlFlowError({
            workflowId: node.workflowId,
            nodeId: node.id,
            reason: 'no_branch_matched',
            message: `no branch condition matched (${node.conditions.length} tried); add [() => true, fallback] as the last case`,
          })
        }
        this.enter(plan.nodes[node.children[index]!]!, input, path)
        return
      }
      case 'foreach': {
        if (!Array.isArray(input)) {
          throw new ControlFlowError({
            workflowId: node.workflowId,
            nodeId: node.id,
            reason: 'not_an_array',
            message: `foreach needs an array, received ${input === null ? 'null' : typeof input}`,
          })
        }
        if (input.length === 0) return this.complete(node, path, [])
        this.open(node, path, input.length, input)
        const child = plan.nodes[node.child]!
        const first = Math.min(node.concurrency, input.length)
        for (let index = 0; index < first; index++)
          this.enter(child, input[index], [...path, index])
        return
      }
      case 'loop':
        this.enter(plan.nodes[node.child]!, input, [...path, 0])
        return
      case 'workflow': {
        const child = node.workflow
        const parsed = validateWith(child.inputSchema, input, {
          workflowId: child.id,
          target: 'input',
        })
        this.enter(plan.nodes[node.child]!, parsed, path)
        return
      }
    }
  }

  /** Continues after `node` (at `path`) produced `output`. */
  complete(node: PlanNode, path: number[], output: unknown): void {
    if (!this.driving) {
      this.driving = true
      try {
        this.complete(node, path, output)
        this.drainDeferred()
      } finally {
        this.driving = false
        this.deferred = undefined
      }
      return
    }
    const { plan } = this.context
    if (node.parent === -1) {
      const schema = plan.workflow.outputSchema
      const final = schema
        ? validateWith(schema, output, { workflowId: plan.workflow.id, target: 'output' })
        : output
      this.effects.end = { status: 'succeeded', output: final }
      return
    }
    const parent = plan.nodes[node.parent]!
    switch (parent.kind) {
      case 'sequence': {
        const next = parent.children[node.slot + 1]
        if (next === undefined) this.complete(parent, path, output)
        else this.enter(plan.nodes[next]!, output, path)
        return
      }
      case 'branch':
        this.complete(parent, path, output)
        return
      case 'workflow': {
        const child = parent.workflow
        const final = child.outputSchema
          ? validateWith(child.outputSchema, output, { workflowId: child.id, target: 'output' })
          : output
        this.complete(parent, path, final)
        return
      }
      case 'loop': {
        const outer = path.slice(0, -1)
        const iteration = path[path.length - 1]! + 1
        const done = this.predicate(parent, 'loop until', parent.until, { output, iteration })
        if (done === true) return this.complete(parent, outer, output)
        if (iteration >= parent.maxIterations) {
          throw new ControlFlowError({
            workflowId: parent.workflowId,
            nodeId: parent.id,
            reason: 'loop_limit',
            message: `loop did not end within maxIterations (${parent.maxIterations})`,
          })
        }
        // Deferred, not recursive: iterations that complete at once would grow the stack.
        this.defer(() => this.enter(plan.nodes[parent.child]!, output, [...outer, iteration]))
        return
      }
      case 'parallel':
        this.join(parent, path, node.slot, output)
        return
      case 'foreach': {
        const outer = path.slice(0, -1)
        const index = path[path.length - 1]!
        const next = index + parent.concurrency
        const key = instanceKey(parent.id, outer)
        const scope = this.local?.get(key) ?? this.context.scopes?.get(key)
        if (scope === undefined) throw new ScopeMiss(key)
        const items = scope.items!
        // Lane chaining: item i starts item i + concurrency, so at most `concurrency` run at once
        // and the choice needs no shared counter.
        // Deferred, not recursive: items that complete at once would grow the stack per item.
        if (next < items.length)
          this.defer(() => this.enter(plan.nodes[parent.child]!, items[next], [...outer, next]))
        this.join(parent, outer, index, output)
        return
      }
      case 'step':
      case 'code':
        return
    }
  }

  /** Continues after a scope completed with all its children's outputs. */
  completeScope(node: PlanNode, path: number[], scope: CompletedScope): void {
    this.complete(node, path, scopeOutput(node, scope))
  }

  /** Runs the deferred work in a loop: the stack stays as deep as the workflow, not the data. */
  private drainDeferred(): void {
    const queue = this.deferred
    if (queue) for (let index = 0; index < queue.length; index++) queue[index]!()
  }

  private defer(work: () => void): void {
    ;(this.deferred ??= []).push(work)
  }

  private open(
    node: PlanNode,
    path: number[],
    expected: number,
    items: unknown[] | undefined,
  ): void {
    const scope: ScopeRecord = {
      runId: this.context.runId,
      key: instanceKey(node.id, path),
      expected,
      results: {},
      completed: 0,
      closed: false,
      ...(items ? { items } : {}),
    }
    ;(this.local ??= new Map()).set(scope.key, scope)
    if (this.effects.scopes === none) this.effects.scopes = []
    this.effects.scopes.push(scope)
  }

  private join(node: PlanNode, path: number[], index: number, output: unknown): void {
    const key = instanceKey(node.id, path)
    const local = this.local?.get(key)
    if (local === undefined) {
      if (this.effects.joins === none) this.effects.joins = []
      this.effects.joins.push({ scopeKey: key, index, output, node, path })
      return
    }
    if (!(index in local.results)) {
      local.results[index] = output
      local.completed++
    }
    if (local.completed === local.expected) {
      local.closed = true
      this.completeScope(node, path, local)
    }
  }

  /** Makes `task` a wait: when it fires on its own, and what resolves it. */
  private waitFor(node: PlanNode, wait: WaitPlan, task: TaskRecord): void {
    const now = this.context.now
    const input = task.input
    if (wait.kind === 'sleep') {
      task.wait = { kind: 'sleep' }
      if (wait.durationMs !== undefined) {
        task.availableAt = now + wait.durationMs
        return
      }
      const until = this.call(node, wait.until!, { input })
      const at = until instanceof Date ? until.getTime() : until
      if (typeof at !== 'number' || !Number.isFinite(at)) {
        throw new ControlFlowError({
          workflowId: node.workflowId,
          nodeId: node.id,
          reason: 'function_threw',
          message: `sleep until must return a Date or epoch milliseconds, returned ${describe(until)}`,
        })
      }
      task.availableAt = Math.max(now, at)
      return
    }
    task.availableAt = wait.timeoutMs === undefined ? waitForever : now + wait.timeoutMs
    task.wait = { kind: wait.kind, name: wait.name! }
    if (wait.kind === 'event' && wait.match) {
      const match = this.call(node, wait.match!, { input })
      if (typeof match !== 'object' || match === null || Array.isArray(match)) {
        throw new ControlFlowError({
          workflowId: node.workflowId,
          nodeId: node.id,
          reason: 'function_threw',
          message: `waitForEvent match must return a record of payload fields, returned ${describe(match)}`,
        })
      }
      // An undefined value would vanish in JSON and the wait would take any event of the name.
      const missing = Object.keys(match).filter(
        (field) => (match as Record<string, unknown>)[field] === undefined,
      )
      if (missing.length > 0) {
        throw new ControlFlowError({
          workflowId: node.workflowId,
          nodeId: node.id,
          reason: 'function_threw',
          message: `waitForEvent match gave no value for ${missing.map((field) => `"${field}"`).join(', ')}; a wait must say what it matches`,
        })
      }
      task.wait.match = JSON.parse(JSON.stringify(match)) as Record<string, unknown>
    }
  }

  /** Calls a branch condition or loop `until`: it must synchronously return a boolean. */
  private predicate(
    node: PlanNode,
    what: string,
    fn: InlineFunction,
    args: Record<string, unknown>,
  ): boolean {
    const result = this.call(node, fn, args)
    if (typeof result === 'boolean') return result
    throw new ControlFlowError({
      workflowId: node.workflowId,
      nodeId: node.id,
      reason: 'function_threw',
      message: isThenable(result)
        ? `${what} returned a promise; it must return a boolean synchronously (do I/O in a step)`
        : `${what} must return a boolean, returned ${result === null ? 'null' : typeof result}`,
    })
  }

  // Calls an inline function, or reads the value of the expression it stands for.
  private call(node: PlanNode, fn: InlineFunction, args: Record<string, unknown>): unknown {
    const expression = expressionOf(fn)
    if (expression !== undefined) {
      const key = expression.key(args)
      const result = this.context.expressions?.get(key)
      if (result === undefined) throw new ExpressionMiss(key, expression, args, node)
      if ('value' in result) return result.value
      throw new ControlFlowError({
        workflowId: node.workflowId,
        nodeId: node.id,
        reason: 'function_threw',
        message: describeExpressionError(expression.source, result.error),
        cause: result.error,
      })
    }
    try {
      return fn(args)
    } catch (error) {
      if (error instanceof ScopeMiss || error instanceof ExpressionMiss) throw error
      throw new ControlFlowError({
        workflowId: node.workflowId,
        nodeId: node.id,
        reason: 'function_threw',
        message: `inline function threw: ${error instanceof Error ? error.message : String(error)}`,
        cause: error,
      })
    }
  }
}

/** The output of a completed parallel (a record) or foreach (an array) scope. */
export function scopeOutput(node: PlanNode, scope: CompletedScope): unknown {
  if (node.kind === 'parallel') {
    const record: Record<string, unknown> = {}
    node.keys.forEach((key, index) => {
      record[key] = scope.results?.[index]
    })
    return record
  }
  const array = new Array<unknown>(scope.expected)
  for (let index = 0; index < scope.expected; index++) array[index] = scope.results?.[index]
  return array
}
