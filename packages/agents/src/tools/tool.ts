import {
  InvalidArgumentError,
  parseDuration,
  type ApprovalDecision,
  type Duration,
  type Logger,
  type ModelMessage,
  type SecretsProviderV1,
} from '@tessera/core'
import type { z } from 'zod'
import type { Agent } from '../agent/define-agent'

/** What a tool's `execute` receives besides its input. */
export interface ToolContext {
  /** The agent whose model called the tool. */
  agentId: string
  toolName: string
  /** The model's id for this call. */
  toolCallId: string
  /** Aborted when the agent's run is cancelled; pass it to I/O. */
  signal: AbortSignal
  /**
   * Stable for this tool call across retries and crash recovery inside a workflow: pass it to
   * external systems that deduplicate requests.
   */
  idempotencyKey: string
  logger: Logger
  /** The approved decision (with its data), when the tool needs approval. */
  approval: Extract<ApprovalDecision<unknown>, { approved: true }> | undefined
  /** The conversation so far, up to and including the model's answer that called the tool. */
  messages: readonly ModelMessage[]
  /**
   * Where `{ $secret: 'NAME' }` references resolve: the engine's secrets inside an `agent` node,
   * else `generate({ secrets })`. Undefined when neither gave any. `connectorTool` reads it.
   */
  secrets?: SecretsProviderV1
}

/**
 * What happens when `execute` throws: `tool-result` sends the error's message to the model as an
 * error result (it may try again or change course), `throw` fails the agent's run (inside a
 * workflow the step fails, and its retry policy applies). A `NonRetryableError` always fails
 * the run.
 */
export type ToolErrorMode = 'tool-result' | 'throw'

/** What {@link tool} takes. */
export interface ToolSettings<TInputSchema extends z.ZodType, TOutput> {
  /** What the tool does, for the model: when to call it and what it returns. */
  description: string
  /** The input the model must send; invalid input goes back to the model as an error result. */
  input: TInputSchema
  /** Checks what `execute` returns (a mismatch fails the run: it is a bug in the tool). */
  output?: z.ZodType<TOutput, any>
  /** Whether a human must approve a call before it runs; a function decides per input. */
  needsApproval?: boolean | ((input: z.output<TInputSchema>) => boolean)
  /** How long to wait for an approval inside a workflow (`WaitTimeoutError` after). */
  approvalTimeout?: Duration
  /** Default `tool-result`. See {@link ToolErrorMode}. */
  onError?: ToolErrorMode | ((error: unknown) => ToolErrorMode)
  /**
   * Does the work. Its result must be JSON (inside a workflow it is recorded, and a re-executed
   * step reuses it instead of calling the tool again).
   */
  execute: (input: z.output<TInputSchema>, context: ToolContext) => TOutput | Promise<TOutput>
}

/** How a tool hands work to another agent: as a sub-call, or by transferring the conversation. */
export interface ToolDelegation {
  mode: 'agent' | 'handoff'
  agent: Agent<any, any>
}

/** A typed function an agent's model may call. {@link tool} makes one. */
export interface Tool<TInput = any, TOutput = any> {
  readonly kind: 'tool'
  readonly description: string
  readonly input: z.ZodType<TInput, any>
  readonly output: z.ZodType<TOutput, any> | undefined
  readonly needsApproval: boolean | ((input: TInput) => boolean)
  readonly approvalTimeoutMs: number | undefined
  readonly onError: ToolErrorMode | ((error: unknown) => ToolErrorMode)
  readonly execute: (input: TInput, context: ToolContext) => TOutput | Promise<TOutput>
  /** Set by `agentAsTool` and `handoff`: the agent loop runs the other agent itself. */
  readonly delegation: ToolDelegation | undefined
}

/** A record of tools, keyed by the name the model sees. */
export type ToolSet = Readonly<Record<string, Tool>>

/**
 * Defines a tool: a zod-typed function the model may call. Its input schema becomes the JSON
 * Schema the model sees (a non-object input is sent as `{ input: … }`); the model's input is
 * validated, and a mismatch or a thrown error goes back to the model as an error result, so it
 * can correct itself (within the agent's `maxSteps`).
 *
 * @example
 * ```ts
 * const lookupOrder = tool({
 *   description: 'Finds an order by id; returns its status and total',
 *   input: z.object({ orderId: z.string() }),
 *   execute: async ({ orderId }, { signal }) => orders.find(orderId, { signal }),
 * })
 * const refund = tool({
 *   description: 'Refunds an order',
 *   input: z.object({ orderId: z.string(), amount: z.number() }),
 *   needsApproval: ({ amount }) => amount > 100,
 *   execute: async (input) => payments.refund(input),
 * })
 * ```
 */
export function tool<TInputSchema extends z.ZodType, TOutput>(
  settings: ToolSettings<TInputSchema, TOutput>,
): Tool<z.output<TInputSchema>, TOutput> {
  return createTool('tool', settings, undefined)
}

/** Builds a tool after checking its settings; `agentAsTool` and `handoff` pass a delegation. */
export function createTool<TInputSchema extends z.ZodType, TOutput>(
  fn: string,
  settings: ToolSettings<TInputSchema, TOutput>,
  delegation: ToolDelegation | undefined,
): Tool<z.output<TInputSchema>, TOutput> {
  if (typeof settings !== 'object' || settings === null) {
    throw new InvalidArgumentError({
      fn,
      argument: 'settings',
      expected: 'an object with description, input and execute',
      received: settings,
    })
  }
  if (typeof settings.description !== 'string' || settings.description.trim() === '') {
    throw new InvalidArgumentError({
      fn,
      argument: 'description',
      expected: 'a non-empty string telling the model what the tool does',
      received: settings.description,
    })
  }
  assertZod(fn, 'input', settings.input)
  if (settings.output !== undefined) assertZod(fn, 'output', settings.output)
  const needsApproval = settings.needsApproval ?? false
  if (typeof needsApproval !== 'boolean' && typeof needsApproval !== 'function') {
    throw new InvalidArgumentError({
      fn,
      argument: 'needsApproval',
      expected: 'a boolean or a function of the input',
      received: needsApproval,
    })
  }
  const onError = settings.onError ?? 'tool-result'
  if (onError !== 'tool-result' && onError !== 'throw' && typeof onError !== 'function') {
    throw new InvalidArgumentError({
      fn,
      argument: 'onError',
      expected: '"tool-result", "throw" or a function returning one of them',
      received: onError,
    })
  }
  if (typeof settings.execute !== 'function') {
    throw new InvalidArgumentError({
      fn,
      argument: 'execute',
      expected: 'a function (input, context) => output',
      received: settings.execute,
    })
  }
  return Object.freeze({
    kind: 'tool' as const,
    description: settings.description,
    input: settings.input as z.ZodType<z.output<TInputSchema>, any>,
    output: settings.output,
    needsApproval,
    approvalTimeoutMs:
      settings.approvalTimeout === undefined
        ? undefined
        : parseDuration(settings.approvalTimeout, `${fn}.approvalTimeout`),
    onError,
    execute: settings.execute,
    delegation,
  })
}

/**
 * True for a value {@link tool} (or `connectorTool`, `agentAsTool`, `handoff`) made.
 *
 * @example
 * ```ts
 * isTool(lookupOrder) // true
 * ```
 */
export function isTool(value: unknown): value is Tool {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Tool).kind === 'tool' &&
    typeof (value as Tool).execute === 'function'
  )
}

function assertZod(fn: string, argument: string, schema: unknown): asserts schema is z.ZodType {
  if (
    typeof schema !== 'object' ||
    schema === null ||
    typeof (schema as z.ZodType).safeParse !== 'function'
  ) {
    throw new InvalidArgumentError({ fn, argument, expected: 'a zod schema', received: schema })
  }
}
