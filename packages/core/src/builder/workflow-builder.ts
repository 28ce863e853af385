import type { z } from 'zod'
import {
  definitionSchemaVersion,
  type Callable,
  type DefinitionNode,
  type WorkflowDefinition,
} from '../definition/schema'
import { ConflictError } from '../errors/conflict-error'
import { InvalidArgumentError } from '../errors/invalid-argument-error'
import { parseDuration, type Duration } from '../runtime/duration'
import { normalizeRetry, type RetryOptions } from '../runtime/retry-policy'
import { toJsonSchema } from '../registry/json-schema'
import { assertId, assertSchema, type Step } from './step'
import { workflowVersion } from './workflow-version'
import { callableEntry, withFunctions } from './named-function'
import { unwrapNode, type NodeOptions } from './node-options'
import { buildFragment, fragmentOf } from './fragment'
import type { AgentV1 } from '../ports/agent-v1'
import type { ConnectorV1 } from '../ports/connector-v1'
import { addAgentNode } from './agent-node'
import {
  addConnectorAction,
  type ActionInputOf,
  type ActionNameOf,
  type ActionOutputOf,
  type ConnectorConfigOf,
} from './connector-action-node'
import type {
  Accepts,
  StepInputMismatch,
  ForeachNeedsArray,
  LoopOutputMismatch,
  WorkflowOutputMismatch,
} from './type-errors'
import type { AnyRunnable, InlineFunction, InputOf, OutputOf, Workflow } from './workflow'

/** What `createWorkflow` takes. */
export interface WorkflowOptions<
  TId extends string,
  TInputSchema extends z.ZodType,
  TOutputSchema extends z.ZodType | undefined,
> {
  id: TId
  description?: string
  input: TInputSchema
  /** Optional: validates the final output, and the last step's output type must match it. */
  output?: TOutputSchema
  /** Defaults for every step of this workflow that does not set its own. */
  defaults?: { retry?: RetryOptions; timeout?: Duration }
}

/** Arguments of a `.map()` function. */
export interface MapArguments<TInput> {
  input: TInput
  runId: string
  workflowId: string
}

/** A `.branch()` condition. */
export type BranchCondition<TInput> = (args: { input: TInput }) => boolean

/** Options of `.foreach()`. */
export interface ForeachOptions {
  /** How many items run at once. Default 1 (in order). */
  concurrency?: number
  id?: string
}

/** Options of `.loop()`. */
export interface LoopOptions<TOutput> {
  /** Called after every iteration; true ends the loop with that iteration's output. */
  until: (args: { output: TOutput; iteration: number }) => boolean
  /** The run fails with a `ControlFlowError` if the loop has not ended after this many. Default 100. */
  maxIterations?: number
  id?: string
}

/** Options of `.waitForEvent()`. */
export interface WaitForEventOptions<TPrev, S extends z.ZodType> {
  /** Checks the payload; its output type is the next input. Default: any payload. */
  schema?: S
  /** The payload fields (and values) an event must have to be taken by this run. */
  match?: (args: { input: TPrev }) => Record<string, unknown>
  /** Fail with `WaitTimeoutError` if no event arrived by then. Default: wait forever. */
  timeout?: Duration
  /** Node id. Default: the event name. */
  id?: string
}

/** Options of `.approval()`. */
export interface ApprovalOptions<S extends z.ZodType> {
  /** The approval's id: `run.approve(id, …)` names it. Also the node id, unless `nodeId` is set. */
  id: string
  /** The node id in the definition, when it differs from the approval's id. */
  nodeId?: string
  /** Checks the data given with an approval (`run.approve(id, data)`). Default: any data. */
  schema?: S
  /** Fail with `WaitTimeoutError` if no decision arrived by then. Default: wait forever. */
  timeout?: Duration
}

/** What an `.approval()` node outputs: the decision, who made it, and when. */
export type ApprovalDecision<T> =
  | { approved: true; data: T; by?: string; at: number }
  | { approved: false; reason?: string; by?: string; at: number }

/** @internal The builder's state: what a chain has collected so far. */
export interface BuilderState {
  readonly id: string
  readonly description: string | undefined
  readonly inputSchema: z.ZodType
  readonly outputSchema: z.ZodType | undefined
  readonly defaults: WorkflowDefinition['defaults']
  readonly nodes: readonly DefinitionNode[]
  readonly functions: ReadonlyMap<string, InlineFunction>
  readonly schemas: ReadonlyMap<string, z.ZodType>
  readonly steps: ReadonlyMap<string, Step>
  readonly workflows: ReadonlyMap<string, Workflow>
  /** Connectors of `action` nodes, by connector id (absent: none yet). */
  readonly connectors?: ReadonlyMap<string, ConnectorV1>
  /** Agents of `agent` nodes, by agent id (absent: none yet). */
  readonly agents?: ReadonlyMap<string, AgentV1>
  readonly nodeIds: ReadonlySet<string>
  /** A chain built apart by `sequence`/`single`: its id names no workflow. */
  readonly fragment?: boolean
}

/** A type-level helper of the builder's generic slots. */
export type DeclaredOutput<TOutputSchema> = TOutputSchema extends z.ZodType
  ? { input: z.input<TOutputSchema>; output: z.output<TOutputSchema> }
  : undefined

/** A type-level helper of the builder's generic slots. */
export type FinalOutput<TPrev, TDeclared> = TDeclared extends { output: infer O } ? O : TPrev

/** A type-level helper of the builder's generic slots. */
export type CommitArguments<TId extends string, TPrev, TDeclared> = TDeclared extends {
  input: infer I
}
  ? [TPrev] extends [I]
    ? []
    : [error: WorkflowOutputMismatch<TId, TPrev, I>]
  : []

/** A type-level helper of the builder's generic slots. */
export type ElementOf<T> = T extends readonly (infer E)[] ? E : never

/**
 * An immutable, fully typed workflow builder. Every method returns a new builder, so a prefix
 * of a chain can be shared. Generic slots: the workflow id, its input, the output of the last
 * node so far (what the next node receives) and the declared output schema's types.
 *
 * @example
 * ```ts
 * const base: WorkflowBuilder<'w', { n: number }, { n: number }, undefined> = createWorkflow({ id: 'w', input })
 * ```
 */
export class WorkflowBuilder<TId extends string, TInput, TPrev, TDeclared> {
  /** @internal */
  readonly '~state': BuilderState

  /** @internal Use {@link createWorkflow}. */
  constructor(state: BuilderState) {
    this['~state'] = state
  }

  /**
   * Runs a step or a child workflow with the previous output as its input. `options` sets the
   * node id, and for a step a retry policy or timeout for this use only (see `asNode`).
   *
   * @example
   * ```ts
   * createWorkflow({ id: 'w', input: z.object({ orderId: z.string() }) }).then(fetchOrder)
   * ```
   */
  then<R extends AnyRunnable>(
    runnable: R & Accepts<TPrev, R>,
    options?: NodeOptions,
  ): WorkflowBuilder<TId, TInput, OutputOf<R>, TDeclared> {
    const state = this['~state']
    const { node, next } = addRunnable(state, runnable, 'then', options)
    return new WorkflowBuilder({ ...next, nodes: [...state.nodes, node] })
  }

  /**
   * Runs a connector's action with `config` (JSON, checked by its config schema) on the previous
   * output; `options` as for a step (id default `<connector>.<action>`). See docs/definitions.md.
   *
   * @example
   * ```ts
   * createWorkflow({ id: 'notify', input: z.object({ text: z.string() }) })
   *   .action(slack, 'send-message', { channel: '#orders' }, { retry: { attempts: 3 } })
   * ```
   */
  action<C extends ConnectorV1, const A extends ActionNameOf<C>>(
    connector: C,
    action: A &
      ([TPrev] extends [ActionInputOf<C, A>]
        ? unknown
        : StepInputMismatch<`${C['id']}.${A}`, TPrev, ActionInputOf<C, A>>),
    config?: ConnectorConfigOf<C>,
    options: NodeOptions = {},
  ): WorkflowBuilder<TId, TInput, ActionOutputOf<C, A>, TDeclared> {
    const state = this['~state']
    const { node, next } = addConnectorAction(
      state,
      connector,
      action,
      config,
      options,
      (current, base, explicit) => claimNodeId(current, base, 'action', explicit),
    )
    return new WorkflowBuilder({ ...next, nodes: [...state.nodes, node] })
  }

  /**
   * Runs a registered agent on the previous output; `options` as for a step (id default the
   * agent's id). See docs/definitions.md.
   *
   * @example
   * ```ts
   * createWorkflow({ id: 'support', input: z.string() }).agent(triage, { retry: { attempts: 2 } })
   * ```
   */
  agent<TAgentInput, TAgentOutput>(
    agent: AgentV1<TAgentInput, TAgentOutput> &
      ([TPrev] extends [TAgentInput] ? unknown : StepInputMismatch<string, TPrev, TAgentInput>),
    options: NodeOptions = {},
  ): WorkflowBuilder<TId, TInput, TAgentOutput, TDeclared> {
    const state = this['~state']
    const { node, next } = addAgentNode(state, agent, options, (current, base, explicit) =>
      claimNodeId(current, base, 'agent', explicit),
    )
    return new WorkflowBuilder({ ...next, nodes: [...state.nodes, node] })
  }

  /**
   * Reshapes the previous output with a synchronous function (no I/O: use a step for that).
   *
   * @example
   * ```ts
   * .map(({ input }) => input.lineItems)
   * ```
   */
  map<TOut>(
    fn: (args: MapArguments<TPrev>) => TOut,
    options: { id?: string } = {},
  ): WorkflowBuilder<TId, TInput, TOut, TDeclared> {
    if (typeof fn !== 'function') {
      throw new InvalidArgumentError({
        fn: `${this['~state'].id}.map`,
        argument: 'fn',
        expected: 'a function',
        received: fn,
      })
    }
    const state = this['~state']
    const id = claimNodeId(state, options.id ?? 'map', 'map', options.id !== undefined)
    const entry = callableEntry(fn as InlineFunction, `${state.id}/${id}`)
    return new WorkflowBuilder({
      ...state,
      nodeIds: new Set([...state.nodeIds, id]),
      functions: withFunctions(state.id, state.functions, entry.functions),
      nodes: [...state.nodes, { type: 'code', id, ...entry.reference }],
    })
  }

  /**
   * Runs the first runnable whose condition holds; the next input is the union of their outputs.
   * If none holds the run fails with a `ControlFlowError`; end with `[() => true, fallback]`.
   *
   * @example
   * ```ts
   * .branch([[({ input }) => input.total > 1000, bigOrder], [() => true, smallOrder]])
   * ```
   */
  branch<const B extends readonly (readonly [BranchCondition<TPrev>, AnyRunnable])[]>(
    cases: B & {
      [K in keyof B]: B[K] extends readonly [unknown, infer R extends AnyRunnable]
        ? readonly [BranchCondition<TPrev>, R & Accepts<TPrev, R>]
        : B[K]
    },
    options: { id?: string } = {},
  ): WorkflowBuilder<TId, TInput, OutputOf<B[number][1]>, TDeclared> {
    const state = this['~state']
    if (!Array.isArray(cases) || cases.length === 0) {
      throw new InvalidArgumentError({
        fn: `${state.id}.branch`,
        argument: 'cases',
        expected: 'a non-empty array of [condition, step] pairs',
        received: cases,
      })
    }
    const id = claimNodeId(state, options.id ?? 'branch', 'branch', options.id !== undefined)
    let next: BuilderState = { ...state, nodeIds: new Set([...state.nodeIds, id]) }
    const functions = new Map(next.functions)
    const definitionCases: { when: Callable; then: DefinitionNode }[] = []
    cases.forEach((entry: readonly [BranchCondition<TPrev>, AnyRunnable], index: number) => {
      if (!Array.isArray(entry) || typeof entry[0] !== 'function') {
        throw new InvalidArgumentError({
          fn: `${state.id}.branch`,
          argument: `cases[${index}]`,
          expected: 'a [condition function, step or workflow] pair',
          received: entry,
        })
      }
      const added = addRunnable(next, entry[1], `branch cases[${index}]`)
      next = added.next
      const when = callableEntry(entry[0] as InlineFunction, `${state.id}/${id}/when-${index}`)
      for (const [key, value] of withFunctions(state.id, functions, when.functions))
        functions.set(key, value)
      definitionCases.push({ when: when.reference, then: added.node })
    })
    for (const [key, value] of next.functions) functions.set(key, value)
    return new WorkflowBuilder({
      ...next,
      functions,
      nodes: [...state.nodes, { type: 'branch', id, cases: definitionCases }],
    })
  }

  /**
   * Runs several runnables on the same input at once; the next input is a record of their
   * outputs under the same keys.
   *
   * @example
   * ```ts
   * .parallel({ notify: notifyStep, audit: auditStep }) // next input: { notify: N; audit: A }
   * ```
   */
  parallel<R extends Record<string, AnyRunnable>>(
    runnables: R & { [K in keyof R]: R[K] & Accepts<TPrev, R[K]> },
    options: { id?: string } = {},
  ): WorkflowBuilder<TId, TInput, { [K in keyof R]: OutputOf<R[K]> }, TDeclared> {
    const state = this['~state']
    if (
      typeof runnables !== 'object' ||
      runnables === null ||
      Object.keys(runnables).length === 0
    ) {
      throw new InvalidArgumentError({
        fn: `${state.id}.parallel`,
        argument: 'runnables',
        expected: 'a non-empty record of steps or workflows',
        received: runnables,
      })
    }
    const id = claimNodeId(state, options.id ?? 'parallel', 'parallel', options.id !== undefined)
    let next: BuilderState = { ...state, nodeIds: new Set([...state.nodeIds, id]) }
    const branches: Record<string, DefinitionNode> = {}
    for (const [key, runnable] of Object.entries(runnables as Record<string, AnyRunnable>)) {
      const added = addRunnable(next, runnable, `parallel "${key}"`)
      next = added.next
      // defineProperty: a branch named "__proto__" stays a key instead of setting the prototype.
      Object.defineProperty(branches, key, {
        value: added.node,
        enumerable: true,
        writable: true,
        configurable: true,
      })
    }
    return new WorkflowBuilder({
      ...next,
      nodes: [...state.nodes, { type: 'parallel', id, branches }],
    })
  }

  /**
   * Runs a runnable for every element of the previous output (which must be an array); the next
   * input is the array of their outputs, in order.
   *
   * @example
   * ```ts
   * .map(({ input }) => input.lineItems).foreach(checkStock, { concurrency: 8 })
   * ```
   */
  foreach<R extends AnyRunnable>(
    runnable: TPrev extends readonly unknown[]
      ? R & Accepts<ElementOf<TPrev>, R>
      : ForeachNeedsArray<R['id'], TPrev>,
    options: ForeachOptions = {},
  ): WorkflowBuilder<TId, TInput, OutputOf<R>[], TDeclared> {
    const state = this['~state']
    const concurrency = options.concurrency ?? 1
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10_000) {
      throw new InvalidArgumentError({
        fn: `${state.id}.foreach`,
        argument: 'options.concurrency',
        expected: 'an integer from 1 to 10000',
        received: options.concurrency,
      })
    }
    const id = claimNodeId(state, options.id ?? 'foreach', 'foreach', options.id !== undefined)
    const added = addRunnable(
      { ...state, nodeIds: new Set([...state.nodeIds, id]) },
      runnable as AnyRunnable,
      'foreach',
    )
    return new WorkflowBuilder({
      ...added.next,
      nodes: [...state.nodes, { type: 'foreach', id, concurrency, body: added.node }],
    })
  }

  /**
   * Runs a runnable repeatedly, each iteration's output becoming the next one's input, until
   * `until` returns true; the next input is the last output.
   *
   * @example
   * ```ts
   * .loop(pollStep, { until: ({ output }) => output.done, maxIterations: 50 })
   * ```
   */
  loop<R extends AnyRunnable>(
    runnable: R &
      Accepts<TPrev, R> &
      ([OutputOf<R>] extends [InputOf<R>]
        ? unknown
        : LoopOutputMismatch<R['id'], OutputOf<R>, InputOf<R>>),
    options: LoopOptions<OutputOf<R>>,
  ): WorkflowBuilder<TId, TInput, OutputOf<R>, TDeclared> {
    const state = this['~state']
    if (typeof options !== 'object' || options === null || typeof options.until !== 'function') {
      throw new InvalidArgumentError({
        fn: `${state.id}.loop`,
        argument: 'options.until',
        expected: 'a function',
        received: options?.until,
      })
    }
    const maxIterations = options.maxIterations ?? 100
    if (!Number.isInteger(maxIterations) || maxIterations < 1) {
      throw new InvalidArgumentError({
        fn: `${state.id}.loop`,
        argument: 'options.maxIterations',
        expected: 'a positive integer',
        received: options.maxIterations,
      })
    }
    const id = claimNodeId(state, options.id ?? 'loop', 'loop', options.id !== undefined)
    const added = addRunnable(
      { ...state, nodeIds: new Set([...state.nodeIds, id]) },
      runnable as AnyRunnable,
      'loop',
    )
    const until = callableEntry(options.until as InlineFunction, `${state.id}/${id}/until`)
    return new WorkflowBuilder({
      ...added.next,
      functions: withFunctions(state.id, added.next.functions, until.functions),
      nodes: [
        ...state.nodes,
        { type: 'loop', id, maxIterations, until: until.reference, body: added.node },
      ],
    })
  }

  /**
   * Pauses the run durably: for a duration, or until the time `until` returns (a `Date` or epoch
   * ms). The timer survives restarts; a sleeping run holds no worker slot. The next input is the
   * previous output, unchanged.
   *
   * @example
   * ```ts
   * .sleep('3d')
   * .sleep({ until: ({ input }) => new Date(input.sendAt) })
   * ```
   */
  sleep(
    duration: Duration | { until: (args: { input: TPrev }) => Date | number },
    options: { id?: string } = {},
  ): WorkflowBuilder<TId, TInput, TPrev, TDeclared> {
    const state = this['~state']
    const id = claimNodeId(state, options.id ?? 'sleep', 'sleep', options.id !== undefined)
    const nodeIds = new Set([...state.nodeIds, id])
    if (typeof duration === 'object' && duration !== null && 'until' in duration) {
      if (typeof duration.until !== 'function') {
        throw new InvalidArgumentError({
          fn: `${state.id}.sleep`,
          argument: 'until',
          expected: 'a function returning a Date or epoch milliseconds',
          received: duration.until,
        })
      }
      const until = callableEntry(duration.until as InlineFunction, `${state.id}/${id}/until`)
      return new WorkflowBuilder({
        ...state,
        nodeIds,
        functions: withFunctions(state.id, state.functions, until.functions),
        nodes: [...state.nodes, { type: 'sleep', id, until: until.reference }],
      })
    }
    const durationMs = parseDuration(duration as Duration, `${state.id}.sleep`)
    return new WorkflowBuilder({
      ...state,
      nodeIds,
      nodes: [...state.nodes, { type: 'sleep', id, durationMs }],
    })
  }

  /**
   * Suspends the run until an event named `event` arrives (`engine.sendEvent`); its payload,
   * checked by `schema`, is the next input. `match` picks the events meant for this run: the
   * payload must have these top-level fields with these values. Events sent before the run gets
   * here wait in the engine's inbox (see `EngineOptions.inboxTtl`). With `timeout`, the run fails
   * with `WaitTimeoutError` if nothing arrives in time.
   *
   * @example
   * ```ts
   * .waitForEvent('payment.received', {
   *   schema: z.object({ orderId: z.string(), amount: z.number() }),
   *   match: ({ input }) => ({ orderId: input.orderId }),
   *   timeout: '7d',
   * })
   * ```
   */
  waitForEvent<S extends z.ZodType = z.ZodUnknown>(
    event: string,
    options: WaitForEventOptions<TPrev, S> = {},
  ): WorkflowBuilder<TId, TInput, z.output<S>, TDeclared> {
    const state = this['~state']
    const where = `${state.id}.waitForEvent`
    assertEventName(where, 'event', event)
    if (options.schema !== undefined) assertSchema(where, 'options.schema', options.schema)
    if (options.match !== undefined && typeof options.match !== 'function') {
      throw new InvalidArgumentError({
        fn: where,
        argument: 'options.match',
        expected: 'a function returning a record of the payload fields to match',
        received: options.match,
      })
    }
    const id = claimNodeId(
      state,
      options.id ?? event.replace(/[^A-Za-z0-9_.:/-]/g, '-'),
      'event',
      options.id !== undefined,
    )
    const match = options.match
      ? callableEntry(options.match as InlineFunction, `${state.id}/${id}/match`)
      : undefined
    const timeoutMs =
      options.timeout === undefined ? undefined : parseDuration(options.timeout, `${where}.timeout`)
    return new WorkflowBuilder({
      ...state,
      nodeIds: new Set([...state.nodeIds, id]),
      functions: match
        ? withFunctions(state.id, state.functions, match.functions)
        : state.functions,
      schemas: options.schema ? new Map([...state.schemas, [id, options.schema]]) : state.schemas,
      nodes: [
        ...state.nodes,
        {
          type: 'event',
          id,
          event,
          ...(match ? { match: match.reference } : {}),
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
          ...(options.schema ? { schema: toJsonSchema(options.schema) } : {}),
        },
      ],
    })
  }

  /**
   * Suspends the run until someone approves or rejects it (`run.approve(id, data)`,
   * `run.reject(id, reason)`). The next input is the {@link ApprovalDecision}: branch on
   * `approved`. `schema` checks the data that comes with an approval before it is accepted.
   * With `timeout`, the run fails with `WaitTimeoutError` if no decision arrives in time.
   *
   * @example
   * ```ts
   * .approval({ id: 'manager', schema: z.object({ limit: z.number() }), timeout: '2d' })
   * .branch([[({ input }) => input.approved, ship], [() => true, refund]])
   * ```
   */
  approval<S extends z.ZodType = z.ZodUnknown>(
    options: ApprovalOptions<S>,
  ): WorkflowBuilder<TId, TInput, ApprovalDecision<z.output<S>>, TDeclared> {
    const state = this['~state']
    const where = `${state.id}.approval`
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError({
        fn: where,
        argument: 'options',
        expected: 'an object with an id',
        received: options,
      })
    }
    assertEventName(where, 'options.id', options.id)
    if (options.schema !== undefined) assertSchema(where, 'options.schema', options.schema)
    const id = claimNodeId(state, options.nodeId ?? options.id, 'approval', true)
    const timeoutMs =
      options.timeout === undefined ? undefined : parseDuration(options.timeout, `${where}.timeout`)
    return new WorkflowBuilder({
      ...state,
      nodeIds: new Set([...state.nodeIds, id]),
      schemas: options.schema ? new Map([...state.schemas, [id, options.schema]]) : state.schemas,
      nodes: [
        ...state.nodes,
        {
          type: 'approval',
          id,
          approval: options.id,
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
          ...(options.schema ? { schema: toJsonSchema(options.schema) } : {}),
        },
      ],
    })
  }

  /**
   * Ends the chain: returns the immutable {@link Workflow}, with its JSON definition and version.
   * With a declared `output` schema, the last output's type must match it (else a compile error).
   *
   * @example
   * ```ts
   * export const review = createWorkflow({ id: 'review', input }).then(fetchOrder).commit()
   * ```
   */
  commit(
    ..._check: CommitArguments<TId, TPrev, TDeclared>
  ): Workflow<TId, TInput, FinalOutput<TPrev, TDeclared>> {
    return commitWorkflow(this['~state']) as Workflow<TId, TInput, FinalOutput<TPrev, TDeclared>>
  }
}

/**
 * Starts a workflow. The chain of builder calls types every step's input from the previous
 * output; `.commit()` ends it.
 *
 * @example
 * ```ts
 * const review = createWorkflow({ id: 'order-review', input: z.object({ orderId: z.string() }) })
 *   .then(fetchOrder)
 *   .branch([[({ input }) => input.total > 1000, bigOrder], [() => true, smallOrder]])
 *   .commit()
 * ```
 */
export function createWorkflow<
  const TId extends string,
  TInputSchema extends z.ZodType,
  TOutputSchema extends z.ZodType | undefined = undefined,
>(
  options: WorkflowOptions<TId, TInputSchema, TOutputSchema>,
): WorkflowBuilder<
  TId,
  z.input<TInputSchema>,
  z.output<TInputSchema>,
  DeclaredOutput<TOutputSchema>
> {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError({
      fn: 'createWorkflow',
      argument: 'options',
      expected: 'an object',
      received: options,
    })
  }
  assertId('createWorkflow', 'id', options.id)
  assertSchema('createWorkflow', 'input', options.input)
  if (options.output !== undefined) assertSchema('createWorkflow', 'output', options.output)
  const where = `createWorkflow("${options.id}").defaults`
  const defaults = options.defaults
    ? {
        ...(options.defaults.retry ? { retry: normalizeRetry(options.defaults.retry, where) } : {}),
        ...(options.defaults.timeout !== undefined
          ? { timeoutMs: parseDuration(options.defaults.timeout, `${where}.timeout`) }
          : {}),
      }
    : undefined
  return new WorkflowBuilder({
    id: options.id,
    description: options.description,
    inputSchema: options.input,
    outputSchema: options.output,
    defaults,
    nodes: [],
    functions: new Map(),
    schemas: new Map(),
    steps: new Map(),
    workflows: new Map(),
    // "root" names the top-level sequence of every definition.
    nodeIds: new Set(['root']),
  })
}

function assertEventName(fn: string, argument: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,199}$/.test(value)) {
    throw new InvalidArgumentError({
      fn,
      argument,
      expected: 'a name of letters, digits, "-", "_", ".", ":" or "/" (at most 200)',
      received: value,
    })
  }
}

function claimNodeId(state: BuilderState, base: string, kind: string, explicit: boolean): string {
  if (explicit) {
    // Node ids, unlike step and workflow ids, may hold "/" (as definitions allow).
    if (typeof base !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,299}$/.test(base))
      throw new InvalidArgumentError({
        fn: `${state.id}.${kind}`,
        argument: 'options.id',
        expected: 'a node id of letters, digits, "-", "_", ".", ":" or "/" (at most 300)',
        received: base,
      })
    if (state.nodeIds.has(base))
      throw new ConflictError(`Workflow "${state.id}" already has a node with id "${base}"`)
    return base
  }
  if (
    !state.nodeIds.has(base) &&
    kind !== 'map' &&
    kind !== 'branch' &&
    kind !== 'parallel' &&
    kind !== 'foreach' &&
    kind !== 'loop'
  )
    return base
  for (let n = 1; ; n++) {
    const candidate = `${base}-${n}`
    if (!state.nodeIds.has(candidate)) return candidate
  }
}

function addRunnable(
  state: BuilderState,
  runnable: unknown,
  where: string,
  extraOptions?: NodeOptions,
): { node: DefinitionNode; next: BuilderState } {
  const wrapped =
    typeof runnable === 'object' && runnable !== null
      ? unwrapNode(runnable as AnyRunnable)
      : { runnable: runnable as AnyRunnable, options: {} }
  const value = wrapped.runnable
  const nodeOptions: NodeOptions = { ...wrapped.options, ...extraOptions }
  const fragment = fragmentOf(value)
  if (fragment) {
    const built = buildFragment(fragment, state)
    const inner = built.state
    return {
      node: built.node,
      next: {
        ...mergeComponents(state, inner.steps, [...inner.workflows], inner.id),
        nodeIds: inner.nodeIds,
        functions: withFunctions(state.id, state.functions, inner.functions),
        schemas: new Map([...state.schemas, ...inner.schemas]),
        ...(inner.connectors
          ? { connectors: new Map([...(state.connectors ?? []), ...inner.connectors]) }
          : {}),
        ...(inner.agents ? { agents: new Map([...(state.agents ?? []), ...inner.agents]) } : {}),
      },
    }
  }
  if (
    typeof value !== 'object' ||
    value === null ||
    (value.kind !== 'step' && value.kind !== 'workflow')
  ) {
    throw new InvalidArgumentError({
      fn: `${state.id}.${where.split(' ')[0]}`,
      argument: where.includes(' ') ? where.split(' ').slice(1).join(' ') : 'runnable',
      expected: 'a step (createStep) or a committed workflow (.commit())',
      received: runnable,
    })
  }
  const fn = `${state.id}.${where.split(' ')[0]}`
  const id =
    nodeOptions.id === undefined
      ? claimNodeId(state, value.id, 'node', false)
      : claimNodeId(state, nodeOptions.id, where.split(' ')[0]!, true)
  const nodeIds = new Set([...state.nodeIds, id])
  if (
    value.kind === 'workflow' &&
    (nodeOptions.retry !== undefined || nodeOptions.timeout !== undefined)
  ) {
    throw new InvalidArgumentError({
      fn,
      argument: nodeOptions.retry !== undefined ? 'options.retry' : 'options.timeout',
      expected: `nothing for workflow "${value.id}": retry and timeout are for steps`,
      received: nodeOptions.retry ?? nodeOptions.timeout,
    })
  }
  if (value.kind === 'step') {
    const known = state.steps.get(value.id)
    if (known !== undefined && known !== value) {
      throw new ConflictError(
        `Workflow "${state.id}" uses two different steps with the id "${value.id}"`,
      )
    }
    const retry =
      nodeOptions.retry === undefined
        ? undefined
        : normalizeRetry(nodeOptions.retry, `${fn}("${value.id}")`)
    const timeoutMs =
      nodeOptions.timeout === undefined
        ? undefined
        : parseDuration(nodeOptions.timeout, `${fn}("${value.id}").timeout`)
    return {
      node: {
        type: 'step',
        id,
        step: value.id,
        ...(retry ? { retry } : {}),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      },
      next: {
        ...state,
        nodeIds,
        steps: known ? state.steps : new Map([...state.steps, [value.id, value]]),
      },
    }
  }
  return {
    node: { type: 'workflow', id, workflow: value.id, version: value.version },
    next: {
      ...mergeComponents(state, value.steps, [...value.workflows, [value.id, value]], value.id),
      nodeIds,
    },
  }
}

/** `state` with the steps and workflows a child workflow or a fragment (`via`) brings. */
function mergeComponents(
  state: BuilderState,
  added: ReadonlyMap<string, Step>,
  children: [string, Workflow][],
  via: string,
): BuilderState {
  const steps = new Map(state.steps)
  for (const [stepId, step] of added) {
    const known = steps.get(stepId)
    if (known !== undefined && known !== step) {
      throw new ConflictError(
        `Workflow "${state.id}" uses two different steps with the id "${stepId}" (one via "${via}")`,
      )
    }
    steps.set(stepId, step)
  }
  const workflows = new Map(state.workflows)
  for (const [childId, child] of children) {
    if (childId === state.id && !state.fragment)
      throw new ConflictError(`Workflow "${state.id}" cannot contain itself`)
    const known = workflows.get(childId)
    if (known !== undefined && known.version !== child.version) {
      throw new ConflictError(
        `Workflow "${state.id}" uses two different versions of workflow "${childId}"`,
      )
    }
    workflows.set(childId, child)
  }
  return { ...state, steps, workflows }
}

function commitWorkflow(state: BuilderState): Workflow {
  const body: Omit<WorkflowDefinition, 'version'> = {
    kind: 'tessera.workflow',
    schemaVersion: definitionSchemaVersion,
    id: state.id,
    ...(state.description ? { description: state.description } : {}),
    inputSchema: toJsonSchema(state.inputSchema),
    ...(state.outputSchema ? { outputSchema: toJsonSchema(state.outputSchema) } : {}),
    ...(state.defaults && Object.keys(state.defaults).length > 0
      ? { defaults: state.defaults }
      : {}),
    root: { type: 'sequence', id: 'root', children: [...state.nodes] },
  }
  const version = workflowVersion(body, state.functions)
  const definition = { ...body, version } as WorkflowDefinition
  return Object.freeze({
    kind: 'workflow' as const,
    id: state.id,
    description: state.description,
    version,
    inputSchema: state.inputSchema,
    outputSchema: state.outputSchema,
    definition,
    functions: state.functions,
    schemas: state.schemas,
    steps: state.steps,
    workflows: state.workflows,
    ...(state.connectors ? { connectors: state.connectors } : {}),
    ...(state.agents ? { agents: state.agents } : {}),
  })
}
