import { ControlFlowError } from '../errors/control-flow-error'
import { TesseraError } from '../errors/tessera-error'
import { serializeError } from '../errors/error-json'
import type { QueueMessage } from '../ports/queue-v1'
import {
  waitForever,
  type CommitInput,
  type CommitResult,
  type JoinOutcome,
  type ScopeRecord,
  type TaskRecord,
} from '../ports/store-v1'
import { Decision, ScopeMiss, type Effects, type Join } from './decider'
import type { EngineCore } from './engine-core'
import {
  ExpressionMiss,
  maxExpressionsPerDecision,
  type ExpressionResults,
} from './expression-function'
import type { ExecutionPlan, PlanNode } from './plan'
import type { StepAttempt } from './step-attempt'

/**
 * From a decision to the store and back: runs the decider, commits its effects atomically,
 * publishes the new tasks, and follows the joins that completed.
 */
export function createCommitPipeline(core: EngineCore) {
  const { store, queue, clock, scopeCache, localRuns } = core

  // ── committing decisions ────────────────────────────────────────────────────────────────────
  /**
   * Runs the decider; synchronous unless it needs a scope from the store or the value of an
   * expression (JSONata evaluates asynchronously): then it fetches that and decides again.
   */
  const decide = (
    plan: ExecutionPlan,
    runId: string,
    now: number,
    act: (decision: Decision) => void,
    expressions?: ExpressionResults,
  ): Effects | Promise<Effects> => {
    const decision = new Decision({ plan, runId, now, scopes: scopeCache.get(runId), expressions })
    try {
      act(decision)
      return decision.effects
    } catch (error) {
      if (error instanceof ExpressionMiss) {
        const results = settleMiss(error, expressions)
        return results.then((settled) => decide(plan, runId, now, act, settled))
      }
      if (!(error instanceof ScopeMiss)) throw error
      return loadScope(runId, error.key).then(() => decide(plan, runId, now, act, expressions))
    }
  }

  // Evaluates the expression a decision missed into its results (made on the first miss).
  const settleMiss = async (miss: ExpressionMiss, known: ExpressionResults | undefined) => {
    const results = known ?? new Map()
    if (results.size >= maxExpressionsPerDecision) {
      throw new ControlFlowError({
        workflowId: miss.node.workflowId,
        nodeId: miss.node.id,
        reason: 'function_threw',
        message: `one decision needed over ${maxExpressionsPerDecision} expression evaluations (is an inline function not deterministic?)`,
      })
    }
    await miss.settle(results)
    return results
  }

  /** The decision after a step completed: synchronous on the hot path, no closure. */
  const decideCompletion = (
    plan: ExecutionPlan,
    node: PlanNode,
    task: TaskRecord,
    output: unknown,
    now: number,
    expressions?: ExpressionResults,
  ): Effects | Promise<Effects> => {
    const decision = new Decision({
      plan,
      runId: task.runId,
      now,
      scopes: scopeCache.get(task.runId),
      expressions,
    })
    try {
      decision.complete(node, task.path, output)
      return decision.effects
    } catch (error) {
      if (error instanceof ExpressionMiss) {
        return settleMiss(error, expressions).then((settled) =>
          decideCompletion(plan, node, task, output, now, settled),
        )
      }
      if (!(error instanceof ScopeMiss)) throw error
      return loadScope(task.runId, error.key).then(() =>
        decideCompletion(plan, node, task, output, now, expressions),
      )
    }
  }

  const loadScope = async (runId: string, key: string) => {
    const scope = await store.getScope(runId, key)
    if (!scope) throw new TesseraError('internal', `Run "${runId}" has no scope "${key}"`)
    cacheScope(runId, scope)
  }

  const cacheScope = (runId: string, scope: ScopeRecord) => {
    let scopes = scopeCache.get(runId)
    if (!scopes) scopeCache.set(runId, (scopes = new Map()))
    scopes.set(scope.key, scope)
  }

  /**
   * Sends tasks to the queue. Waits without a deadline stay in the store only (a resolution
   * publishes them); a task leased to this worker in its commit travels as already claimed.
   * `woken` (ids a commit resolved from the inbox) are published as available now.
   */
  const publishTasks = (tasks: TaskRecord[], woken?: readonly string[]) => {
    if (tasks.length === 0) return
    const messages: QueueMessage[] = []
    for (let index = 0; index < tasks.length; index++) {
      const task = tasks[index]!
      if (woken !== undefined && woken.includes(task.id)) {
        messages.push({ taskId: task.id, runId: task.runId, availableAt: clock.now() })
        continue
      }
      if (task.availableAt >= waitForever) continue
      // One object shape for every message (claimed or not) keeps the delivery path monomorphic.
      messages.push({
        taskId: task.id,
        runId: task.runId,
        availableAt: task.availableAt,
        claimed:
          task.leaseOwner !== undefined && task.leaseOwner === core.workerId ? task : undefined,
      })
    }
    if (messages.length === 0) return
    return queue.publish(messages)
  }

  const cacheScopes = (runId: string, scopes: ScopeRecord[]) => {
    for (const scope of scopes) if (!scope.closed && scope.items) cacheScope(runId, scope)
  }

  /** Copies a decision's effects into the commit that records them. */
  const fillCommit = (commit: CommitInput, effects: Effects) => {
    if (effects.scopes.length > 0) commit.scopes = effects.scopes
    if (effects.tasks.length > 0) commit.tasks = effects.tasks
    // A commit carries one join; any further ones (see Effects.joins) follow it, one commit each.
    const firstJoin = effects.joins.length > 0 ? effects.joins[0] : undefined
    if (firstJoin)
      commit.join = {
        scopeKey: firstJoin.scopeKey,
        index: firstJoin.index,
        output: firstJoin.output,
      }
    if (effects.end) {
      const now = clock.now()
      commit.run = { status: 'succeeded', output: effects.end.output, updatedAt: now, endedAt: now }
    }
  }

  /**
   * What follows a committed decision: publish its tasks, emit the step's step-end (`attempt`,
   * once committed and before anything that follows), end the run, or continue after joins.
   * Synchronous on the common path; returns a promise only when there is more to wait for.
   */
  const afterCommit = (
    plan: ExecutionPlan,
    runId: string,
    effects: Effects,
    result: Extract<CommitResult, { status: 'committed' }>,
    attempt: StepAttempt | undefined,
  ): Promise<void> | undefined => {
    if (effects.scopes.length > 0) cacheScopes(runId, effects.scopes)
    const published =
      effects.tasks.length > 0 ? publishTasks(effects.tasks, result.woken) : undefined
    if (published !== undefined)
      return Promise.resolve(published).then(() =>
        afterPublish(plan, runId, effects, result, attempt),
      )
    return afterPublish(plan, runId, effects, result, attempt)
  }

  const afterPublish = (
    plan: ExecutionPlan,
    runId: string,
    effects: Effects,
    result: Extract<CommitResult, { status: 'committed' }>,
    attempt: StepAttempt | undefined,
  ): Promise<void> | undefined => {
    if (attempt !== undefined) core.emitStepEnd(attempt, 'succeeded', undefined)
    if (effects.end) {
      core.finishRun(runId, plan.workflow.id, 'succeeded', effects.end.output, undefined)
      return undefined
    }
    const joins = effects.joins
    if (joins.length === 0 || (joins.length === 1 && !isLastJoin(result.join))) return undefined
    return followJoins(plan, runId, joins, result.join)
  }

  /** Commits the further joins of a decision, then continues after every scope that completed. */
  const followJoins = async (
    plan: ExecutionPlan,
    runId: string,
    joins: Join[],
    first: JoinOutcome | undefined,
  ): Promise<void> => {
    const completed: [Join, JoinOutcome][] = []
    if (isLastJoin(first)) completed.push([joins[0]!, first])
    for (let index = 1; index < joins.length; index++) {
      const join = joins[index]!
      const joined = await store.commit({
        runId,
        join: { scopeKey: join.scopeKey, index: join.index, output: join.output },
      })
      if (joined.status !== 'committed') {
        refused(runId, joined)
        return
      }
      if (isLastJoin(joined.join)) completed.push([join, joined.join])
    }
    // The last child of a scope: continue the workflow after the join (once, by closeScope).
    for (const [join, outcome] of completed) {
      let next: Effects
      try {
        next = await decide(plan, runId, clock.now(), (decision) =>
          decision.completeScope(join.node, join.path, outcome),
        )
      } catch (error) {
        await failRun(plan, runId, { runId, closeScope: outcome.key }, error)
        return
      }
      await commitEffects(plan, runId, { runId, closeScope: outcome.key }, next)
    }
  }

  /** Commits a decision and what follows it; false when the store refused the commit. */
  const commitEffects = async (
    plan: ExecutionPlan,
    runId: string,
    commit: CommitInput,
    effects: Effects,
  ): Promise<boolean> => {
    fillCommit(commit, effects)
    const result = await store.commit(commit)
    if (result.status !== 'committed') {
      refused(runId, result)
      return false
    }
    const more = afterCommit(plan, runId, effects, result, undefined)
    if (more !== undefined) await more
    return true
  }

  /** A refused commit writes nothing; a run that another process ended settles this one's handle. */
  const refused = (runId: string, result: Exclude<CommitResult, { status: 'committed' }>) => {
    if (result.status === 'run-ended' && localRuns.has(runId)) core.endedElsewhere(result.run)
  }

  /** Fails the run; `beforeFinish` runs once committed, before run-end (e.g. the step's step-end). */
  const failRun = async (
    plan: ExecutionPlan,
    runId: string,
    commit: CommitInput,
    error: unknown,
    beforeFinish?: () => void,
  ) => {
    const now = clock.now()
    const result = await store.commit({
      ...commit,
      run: { status: 'failed', error: serializeError(error), updatedAt: now, endedAt: now },
    })
    if (result.status !== 'committed') return false
    beforeFinish?.()
    core.finishRun(runId, plan.workflow.id, 'failed', undefined, error)
    return true
  }

  return {
    decide,
    decideCompletion,
    publishTasks,
    cacheScopes,
    fillCommit,
    afterCommit,
    commitEffects,
    refused,
    failRun,
  }
}

/** True for the join outcome of the commit that completed its scope (and nobody continued it yet). */
function isLastJoin(join: JoinOutcome | undefined): join is JoinOutcome {
  return join !== undefined && join.completed === join.expected && !join.closed
}
