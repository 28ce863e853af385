import { z } from 'zod'

const nodeId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:/-]*$/, 'a node id: letters, digits, "-", "_", ".", ":" or "/"')
  .max(300)

const eventName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.:/-]*$/,
    'an event name: letters, digits, "-", "_", ".", ":" or "/"',
  )
  .max(200)

/** A reference to a function registered with the engine (inline code in the builder).
 *
 * @example
 * ```ts
 * functionReferenceSchema.parse({ function: 'order-review/map-1' })
 * ```
 */
export const functionReferenceSchema = z.object({ function: z.string().min(1) }).strict()

/** The longest expression a definition may hold, in characters.
 *
 * @example
 * ```ts
 * source.length <= expressionMaxLength // what expressionSchema accepts
 * ```
 */
export const expressionMaxLength = 10_000

/**
 * A JSONata expression (https://jsonata.org) evaluated by the engine in place of a registered
 * function: `$` is the node's input (a loop's `until`: the iteration's output). Added to format
 * version 1 as an optional alternative to {@link functionReferenceSchema}; see docs/definitions.md.
 *
 * @example
 * ```ts
 * expressionSchema.parse({ expression: 'total > 100' })
 * ```
 */
export const expressionSchema = z
  .object({ expression: z.string().min(1).max(expressionMaxLength) })
  .strict()

/** A registered function or an inline expression: what a branch case's `when`, a loop's `until`,
 * a sleep's `until` and an event's `match` hold.
 *
 * @example
 * ```ts
 * callableSchema.parse({ function: 'order-review/when-1' })
 * callableSchema.parse({ expression: 'status = "approved"' })
 * ```
 */
export const callableSchema = z.union([functionReferenceSchema, expressionSchema])

/** A reference to a registered inline function.
 *
 * @example
 * ```ts
 * const when: FunctionReference = { function: 'order-review/branch-1/when-0' }
 * ```
 */
export type FunctionReference = z.infer<typeof functionReferenceSchema>
/** A JSONata expression held by a definition.
 *
 * @example
 * ```ts
 * const when: Expression = { expression: 'total > 1000' }
 * ```
 */
export type Expression = z.infer<typeof expressionSchema>
/** A registered function or an inline expression.
 *
 * @example
 * ```ts
 * const isExpression = (callable: Callable) => 'expression' in callable
 * ```
 */
export type Callable = FunctionReference | Expression

/** A retry policy as definitions store it (milliseconds).
 *
 * @example
 * ```ts
 * retryPolicySchema.parse({ attempts: 3, type: 'exponential', initialMs: 200, maxMs: 10_000, factor: 2, jitter: true })
 * ```
 */
export const retryPolicySchema = z
  .object({
    attempts: z.number().int().min(1).max(1000),
    type: z.enum(['exponential', 'fixed']),
    initialMs: z.number().min(0),
    maxMs: z.number().min(0),
    factor: z.number().min(1),
    jitter: z.boolean(),
  })
  .strict()

/** A node of a workflow definition graph. */
export type DefinitionNode =
  | {
      type: 'step'
      id: string
      step: string
      retry?: z.infer<typeof retryPolicySchema>
      timeoutMs?: number
    }
  /**
   * Runs the action `action` of the registered connector `connector` with `config` (checked by
   * the connector's config schema); the input is the previous output. Added to format version 1
   * as an optional node kind; see docs/definitions.md.
   */
  | {
      type: 'action'
      id: string
      connector: string
      action: string
      config?: Record<string, unknown>
      retry?: z.infer<typeof retryPolicySchema>
      timeoutMs?: number
    }
  /**
   * Runs the registered agent `agent` on the previous output (checked by the agent's input and
   * output schemas). Added to format version 1 as an optional node kind; see docs/definitions.md.
   */
  | {
      type: 'agent'
      id: string
      agent: string
      retry?: z.infer<typeof retryPolicySchema>
      timeoutMs?: number
    }
  /** A map: exactly one of `function` (a registered inline function) and `expression`. */
  | { type: 'code'; id: string; function?: string; expression?: string }
  | { type: 'sequence'; id: string; children: DefinitionNode[] }
  | { type: 'parallel'; id: string; branches: Record<string, DefinitionNode> }
  | { type: 'branch'; id: string; cases: { when: Callable; then: DefinitionNode }[] }
  | { type: 'foreach'; id: string; concurrency: number; body: DefinitionNode }
  | {
      type: 'loop'
      id: string
      maxIterations: number
      until: Callable
      body: DefinitionNode
    }
  | { type: 'workflow'; id: string; workflow: string; version?: string }
  /** A durable timer: `durationMs` after it is reached, or at the time `until` returns. */
  | { type: 'sleep'; id: string; durationMs?: number; until?: Callable }
  /** Waits for an event; its payload (checked by `schema`, a JSON Schema) is the output. */
  | {
      type: 'event'
      id: string
      event: string
      match?: Callable
      timeoutMs?: number
      schema?: Record<string, unknown>
    }
  /** Waits for an approval decision; `schema` checks the data that comes with an approval. */
  | {
      type: 'approval'
      id: string
      approval: string
      timeoutMs?: number
      schema?: Record<string, unknown>
    }

/** The zod schema of a {@link DefinitionNode}.
 *
 * @example
 * ```ts
 * definitionNodeSchema.parse({ type: 'step', id: 'fetch-order', step: 'fetch-order' })
 * ```
 */
export const definitionNodeSchema: z.ZodType<DefinitionNode> = z.lazy(() =>
  z.discriminatedUnion('type', [
    z
      .object({
        type: z.literal('step'),
        id: nodeId,
        step: z.string().min(1),
        retry: retryPolicySchema.optional(),
        timeoutMs: z.number().min(0).optional(),
      })
      .strict(),
    z
      .object({
        type: z.literal('action'),
        id: nodeId,
        connector: z.string().min(1),
        action: z.string().min(1),
        config: z.record(z.string(), z.unknown()).optional(),
        retry: retryPolicySchema.optional(),
        timeoutMs: z.number().min(0).optional(),
      })
      .strict(),
    z
      .object({
        type: z.literal('agent'),
        id: nodeId,
        agent: z.string().min(1),
        retry: retryPolicySchema.optional(),
        timeoutMs: z.number().min(0).optional(),
      })
      .strict(),
    z
      .object({
        type: z.literal('code'),
        id: nodeId,
        function: z.string().min(1).optional(),
        expression: z.string().min(1).max(expressionMaxLength).optional(),
      })
      .strict()
      .refine((node) => (node.function === undefined) !== (node.expression === undefined), {
        message: 'a code node needs exactly one of function and expression',
      }),
    z
      .object({ type: z.literal('sequence'), id: nodeId, children: z.array(definitionNodeSchema) })
      .strict(),
    z
      .object({
        type: z.literal('parallel'),
        id: nodeId,
        branches: z.record(z.string().min(1), definitionNodeSchema),
      })
      .strict(),
    z
      .object({
        type: z.literal('branch'),
        id: nodeId,
        cases: z
          .array(z.object({ when: callableSchema, then: definitionNodeSchema }).strict())
          .min(1),
      })
      .strict(),
    z
      .object({
        type: z.literal('foreach'),
        id: nodeId,
        concurrency: z.number().int().min(1).max(10_000),
        body: definitionNodeSchema,
      })
      .strict(),
    z
      .object({
        type: z.literal('loop'),
        id: nodeId,
        maxIterations: z.number().int().min(1).max(1_000_000),
        until: callableSchema,
        body: definitionNodeSchema,
      })
      .strict(),
    z
      .object({
        type: z.literal('workflow'),
        id: nodeId,
        workflow: z.string().min(1),
        version: z.string().optional(),
      })
      .strict(),
    z
      .object({
        type: z.literal('sleep'),
        id: nodeId,
        durationMs: z.number().int().min(0).optional(),
        until: callableSchema.optional(),
      })
      .strict()
      .refine((node) => (node.durationMs === undefined) !== (node.until === undefined), {
        message: 'a sleep node needs exactly one of durationMs and until',
      }),
    z
      .object({
        type: z.literal('event'),
        id: nodeId,
        event: eventName,
        match: callableSchema.optional(),
        timeoutMs: z.number().int().min(1).optional(),
        schema: z.record(z.string(), z.unknown()).optional(),
      })
      .strict(),
    z
      .object({
        type: z.literal('approval'),
        id: nodeId,
        approval: eventName,
        timeoutMs: z.number().int().min(1).optional(),
        schema: z.record(z.string(), z.unknown()).optional(),
      })
      .strict(),
  ]),
)

/** The current version of the definition format.
 *
 * @example
 * ```ts
 * workflow.definition.schemaVersion === definitionSchemaVersion // true for definitions this version writes
 * ```
 */
export const definitionSchemaVersion = 1

/**
 * The zod schema of a {@link WorkflowDefinition}: the JSON form of a workflow that the builder
 * exports, the designer edits and the HTTP API stores.
 *
 * @example
 * ```ts
 * const definition = workflowDefinitionSchema.parse(JSON.parse(body))
 * ```
 */
export const workflowDefinitionSchema = z
  .object({
    kind: z.literal('tessera.workflow'),
    schemaVersion: z.literal(definitionSchemaVersion),
    id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/)
      .max(200),
    /** Content hash of everything that shapes execution; runs are pinned to it. */
    version: z.string().min(1),
    description: z.string().optional(),
    /** JSON Schema of the input. */
    inputSchema: z.record(z.string(), z.unknown()),
    /** JSON Schema of the output, when declared. */
    outputSchema: z.record(z.string(), z.unknown()).optional(),
    defaults: z
      .object({ retry: retryPolicySchema.optional(), timeoutMs: z.number().min(0).optional() })
      .strict()
      .optional(),
    root: definitionNodeSchema,
  })
  .strict()

/** The JSON form of a workflow. */
export type WorkflowDefinition = z.infer<typeof workflowDefinitionSchema>
