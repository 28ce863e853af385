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
  | { type: 'code'; id: string; function: string }
  | { type: 'sequence'; id: string; children: DefinitionNode[] }
  | { type: 'parallel'; id: string; branches: Record<string, DefinitionNode> }
  | { type: 'branch'; id: string; cases: { when: { function: string }; then: DefinitionNode }[] }
  | { type: 'foreach'; id: string; concurrency: number; body: DefinitionNode }
  | {
      type: 'loop'
      id: string
      maxIterations: number
      until: { function: string }
      body: DefinitionNode
    }
  | { type: 'workflow'; id: string; workflow: string; version?: string }
  /** A durable timer: `durationMs` after it is reached, or at the time `until` returns. */
  | { type: 'sleep'; id: string; durationMs?: number; until?: { function: string } }
  /** Waits for an event; its payload (checked by `schema`, a JSON Schema) is the output. */
  | {
      type: 'event'
      id: string
      event: string
      match?: { function: string }
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
    z.object({ type: z.literal('code'), id: nodeId, function: z.string().min(1) }).strict(),
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
          .array(z.object({ when: functionReferenceSchema, then: definitionNodeSchema }).strict())
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
        until: functionReferenceSchema,
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
        until: functionReferenceSchema.optional(),
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
        match: functionReferenceSchema.optional(),
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
