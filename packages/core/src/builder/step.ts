import type { z } from 'zod'
import { InvalidArgumentError } from '../errors/invalid-argument-error'
import type { Logger } from '../ports/logger'
import type { SecretsProviderV1 } from '../ports/secrets-provider-v1'
import type { ApprovalDecision } from './workflow-builder'
import { parseDuration, type Duration } from '../runtime/duration'
import { normalizeRetry, type RetryOptions, type RetryPolicy } from '../runtime/retry-policy'

/** What a step's `run` function receives. */
export interface StepContext<TInput> {
  /** The validated input. */
  input: TInput
  /** Aborted when the run is cancelled or the attempt times out; pass it to I/O. */
  signal: AbortSignal
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number
  /**
   * Stable for this step instance across attempts, restarts and redeliveries: pass it to
   * external systems that deduplicate requests (payment APIs, e-mail senders).
   */
  idempotencyKey: string
  runId: string
  workflowId: string
  stepId: string
  /** A logger bound to the run and step. */
  logger: Logger
  /**
   * The engine's `secrets` providers as one (asked in order); undefined when the engine has
   * none. Pass it to an agent you run in the step (`agent.generate(input, { context })` does
   * so itself) so its connector tools resolve `{ $secret }` references. A value your own code
   * reads is not redacted from what it logs or returns: keep it out of both.
   */
  secrets?: SecretsProviderV1
  /**
   * Runs `fn` once for this step instance and commits its result to the store before returning
   * it. When the step's code runs again (a retry, recovery after a crash, a resume after
   * {@link StepContext.approval}) the recorded result is returned and `fn` is not called: a step
   * that calls a paid API in `durable()` pays once. The result must be JSON (it is returned as
   * the store gives it back, so the first run and a replay see the same value). `name` is unique
   * within the step instance: letters, digits, `-`, `_`, `.` and `:`.
   *
   * `fn` itself runs at least once, like any step code: if the process dies between `fn`
   * returning and the commit, it runs again. When two attempts race (a worker presumed dead is
   * not), the first committed result wins and both get it.
   *
   * @example
   * ```ts
   * run: async ({ input, durable }) => {
   *   const draft = await durable('draft', () => model.generate({ messages: prompt(input) }))
   *   const sent = await durable('send', () => mailer.send(draft))
   *   return { messageId: sent.id }
   * }
   * ```
   */
  durable<T>(name: string, fn: () => T | Promise<T>): Promise<T>
  /**
   * Suspends the run until a person approves or rejects `name`, then returns the decision:
   * `engine.approve(runId, name, data)` / `run.approve(name, data)`, or `reject`. While it waits
   * the run is `suspended` and holds no worker slot. When the decision arrives the step's code
   * runs again from the start: results recorded with {@link StepContext.durable} are replayed,
   * and this call returns the decision (which is recorded too). Put every side effect before an
   * approval inside `durable()`. With `timeout`, the step fails with `WaitTimeoutError` when no
   * decision came in time. `schema` checks the approval's data when the step reads it (an
   * in-step approval has no node the engine could check it against up front: invalid data fails
   * the step with `ValidationError`).
   *
   * @example
   * ```ts
   * run: async ({ input, approval }) => {
   *   const decision = await approval('refund', { timeout: '2d' })
   *   return decision.approved ? refund(input) : { refunded: false, reason: decision.reason }
   * }
   * ```
   */
  approval<T = unknown>(
    name: string,
    options?: { timeout?: Duration; schema?: z.ZodType<T> },
  ): Promise<ApprovalDecision<T>>
}

/** What `createStep` takes. */
export interface StepOptions<
  TId extends string,
  TInputSchema extends z.ZodType,
  TOutputSchema extends z.ZodType,
> {
  /** Unique within an engine's registry; kebab-case by convention. */
  id: TId
  description?: string
  /** Validates the input before every attempt. */
  input: TInputSchema
  /** Validates what `run` returns. */
  output: TOutputSchema
  retry?: RetryOptions
  /** Per-attempt time limit; the attempt's `signal` is aborted when it passes. */
  timeout?: Duration
  run: (
    context: StepContext<z.output<TInputSchema>>,
  ) => z.input<TOutputSchema> | Promise<z.input<TOutputSchema>>
}

/**
 * A typed unit of work. `TInput` is what the step accepts (the input schema's input type),
 * `TOutput` what it produces (the output schema's output type).
 */
export interface Step<TId extends string = string, TInput = any, TOutput = any> {
  readonly kind: 'step'
  readonly id: TId
  readonly description: string | undefined
  readonly inputSchema: z.ZodType<unknown, TInput>
  readonly outputSchema: z.ZodType<TOutput, unknown>
  /** Undefined when the step inherits the workflow's or engine's default. */
  readonly retry: RetryPolicy | undefined
  readonly timeoutMs: number | undefined
  readonly run: (context: StepContext<any>) => unknown
}

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/

/** Checks an id given to a public function. */
export function assertId(fn: string, argument: string, id: unknown): asserts id is string {
  if (typeof id !== 'string' || !idPattern.test(id) || id.length > 200) {
    throw new InvalidArgumentError({
      fn,
      argument,
      expected: 'a non-empty string of letters, digits, "-", "_", "." or ":" (at most 200)',
      received: id,
    })
  }
}

/** Checks that a value is a zod schema. */
export function assertSchema(
  fn: string,
  argument: string,
  schema: unknown,
): asserts schema is z.ZodType {
  if (
    typeof schema !== 'object' ||
    schema === null ||
    typeof (schema as z.ZodType).safeParse !== 'function'
  ) {
    throw new InvalidArgumentError({ fn, argument, expected: 'a zod schema', received: schema })
  }
}

/**
 * Defines a step: a typed, validated, retryable function.
 *
 * @example
 * ```ts
 * const fetchOrder = createStep({
 *   id: 'fetch-order',
 *   input: z.object({ orderId: z.string() }),
 *   output: z.object({ orderId: z.string(), total: z.number() }),
 *   retry: { attempts: 3, backoff: { type: 'exponential', initial: '200ms', max: '10s' } },
 *   timeout: '30s',
 *   run: async ({ input, signal }) => ({ ...input, total: await priceOf(input.orderId, signal) }),
 * })
 * ```
 */
export function createStep<
  const TId extends string,
  TInputSchema extends z.ZodType,
  TOutputSchema extends z.ZodType,
>(
  options: StepOptions<TId, TInputSchema, TOutputSchema>,
): Step<TId, z.input<TInputSchema>, z.output<TOutputSchema>> {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError({
      fn: 'createStep',
      argument: 'options',
      expected: 'an object',
      received: options,
    })
  }
  assertId('createStep', 'id', options.id)
  assertSchema('createStep', 'input', options.input)
  assertSchema('createStep', 'output', options.output)
  if (typeof options.run !== 'function') {
    throw new InvalidArgumentError({
      fn: 'createStep',
      argument: 'run',
      expected: 'a function',
      received: options.run,
    })
  }
  const where = `createStep("${options.id}")`
  return Object.freeze({
    kind: 'step' as const,
    id: options.id,
    description: options.description,
    inputSchema: options.input as z.ZodType<unknown, z.input<TInputSchema>>,
    outputSchema: options.output as z.ZodType<z.output<TOutputSchema>, unknown>,
    retry: options.retry === undefined ? undefined : normalizeRetry(options.retry, where),
    timeoutMs:
      options.timeout === undefined
        ? undefined
        : parseDuration(options.timeout, `${where}.timeout`),
    run: options.run as (context: StepContext<any>) => unknown,
  })
}
