import { z } from 'zod'

/**
 * The zod schemas of the HTTP surface's bodies, queries and responses: the handler validates
 * requests with them and the OpenAPI document is generated from them (`z.toJSONSchema`).
 */

const id = (what: string) => z.string().min(1).max(200).describe(`The ${what}'s id`)

export const runIdParams = z.object({ runId: id('run') })
export const approvalParams = z.object({ runId: id('run'), approvalId: id('approval') })
export const workflowIdParams = z.object({ workflowId: id('workflow') })
export const versionParams = z.object({
  workflowId: id('workflow'),
  version: z.coerce.number().int().min(1).describe('The version number (1, 2, …)'),
})
export const webhookParams = z.object({
  name: id('webhook').describe('The configured webhook name'),
})
export const keyIdParams = z.object({ keyId: id('API key') })

const jsonValue = z.unknown().describe('Any JSON value')
const epochMs = z.number().int().describe('Epoch milliseconds')

export const runStatusSchema = z.enum(['running', 'suspended', 'succeeded', 'failed', 'cancelled'])

export const serializedErrorSchema = z.looseObject({
  name: z.string(),
  code: z.string(),
  message: z.string(),
  retryable: z.boolean().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
})

export const runSchema = z
  .object({
    id: z.string(),
    workflowId: z.string(),
    workflowVersion: z.string(),
    status: runStatusSchema,
    input: jsonValue,
    output: jsonValue.optional(),
    error: serializedErrorSchema.optional(),
    idempotencyKey: z.string().optional(),
    createdAt: epochMs,
    updatedAt: epochMs,
    endedAt: epochMs.optional(),
  })
  .describe('A run; input and output are masked for callers who may not see them')

export const stepSchema = z.object({
  key: z.string(),
  nodeId: z.string(),
  status: z.enum(['succeeded', 'failed']),
  output: jsonValue.optional(),
  error: serializedErrorSchema.optional(),
  attempts: z.number().int(),
  startedAt: epochMs,
  endedAt: epochMs,
})

export const waitSchema = z.object({
  kind: z.enum(['sleep', 'event', 'approval']),
  name: z.string().optional(),
  key: z.string(),
  until: epochMs.optional(),
})

export const startRunBody = z.object({
  workflowId: id('workflow'),
  input: jsonValue.optional(),
  runId: id('run').optional(),
  idempotencyKey: z.string().min(1).max(200).optional(),
})

export const runResponse = z.object({ run: runSchema })
export const runDetailResponse = z.object({
  run: runSchema,
  steps: z.array(stepSchema),
  waiting: z.array(waitSchema).describe('What the run waits for (approvals, events, timers)'),
})

const statusList = z
  .union([runStatusSchema, z.array(runStatusSchema)])
  .describe('One status or several (repeat the parameter)')

export const listRunsQuery = z.object({
  workflowId: id('workflow').optional(),
  status: statusList.optional(),
  createdAfter: z.coerce.number().int().optional(),
  createdBefore: z.coerce.number().int().optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: z.string().min(1).max(1000).optional(),
})
export const runPageResponse = z.object({
  runs: z.array(runSchema),
  nextCursor: z.string().optional(),
})

export const cancelBody = z.object({ reason: z.string().max(1000).optional() }).optional()
export const approveBody = z
  .object({ data: jsonValue.optional(), key: z.string().min(1).max(200).optional() })
  .optional()
export const rejectBody = z
  .object({ reason: z.string().max(1000).optional(), key: z.string().min(1).max(200).optional() })
  .optional()
export const accepted = z.object({ runId: z.string(), status: runStatusSchema.optional() })

const eventName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,199}$/, 'letters, digits, "-", "_", ".", ":" or "/"')
  .describe('The event name')
const ttl = z
  .union([z.number().int().min(0), z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/)])
  .describe('How long the inbox keeps the event: ms, or "30s", "5m", "1h"…')

export const runEventBody = z.object({ name: eventName, payload: jsonValue.optional() })
export const sendEventBody = z.object({
  name: eventName,
  payload: jsonValue.optional(),
  runId: id('run').optional(),
  ttl: ttl.optional(),
  id: z.string().min(1).max(200).optional(),
})
export const sendEventResponse = z.object({ eventId: z.string(), runIds: z.array(z.string()) })

const definitionValue = z
  .looseObject({ id: z.string().min(1).max(200) })
  .describe('A workflow definition (see docs/definitions.md)')

export const definitionBody = z.object({ definition: definitionValue })
export const updateDefinitionBody = z.object({
  definition: definitionValue,
  expectVersion: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('The latest version the caller saw; 409 when another is latest'),
})
export const publishBody = z.object({ version: z.number().int().min(1) })

export const definitionHeadSchema = z.object({
  workflowId: z.string(),
  latestVersion: z.number().int(),
  contentHash: z.string(),
  publishedVersion: z.number().int().optional(),
  publishedWorkflowVersion: z
    .string()
    .optional()
    .describe("The engine's version hash of the published version (what its runs are pinned to)"),
  createdAt: epochMs,
  updatedAt: epochMs,
})
export const definitionVersionSchema = z.object({
  workflowId: z.string(),
  version: z.number().int(),
  contentHash: z.string(),
  definition: definitionValue,
  createdAt: epochMs,
  createdBy: z.string().optional(),
})
export const definitionVersionSummary = definitionVersionSchema.omit({ definition: true })
export const definitionIssueSchema = z.object({
  path: z.string(),
  code: z.string(),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
})
export const definitionResponse = z.object({
  definition: definitionHeadSchema,
  latest: definitionVersionSchema,
  published: definitionVersionSchema.optional(),
})
export const definitionWriteResponse = z.object({
  definition: definitionHeadSchema,
  version: definitionVersionSummary,
  issues: z.array(definitionIssueSchema),
})
export const definitionListResponse = z.object({ definitions: z.array(definitionHeadSchema) })
export const definitionVersionsResponse = z.object({
  versions: z.array(definitionVersionSummary),
})
export const validateResponse = z.object({
  valid: z.boolean(),
  issues: z.array(definitionIssueSchema),
})
export const codegenBody = z.object({
  definition: definitionValue,
  registryModule: z.string().min(1).max(500).optional(),
  exportName: z.string().min(1).max(100).optional(),
})
export const codegenResponse = z.object({ code: z.string() })

export const healthResponse = z.object({ status: z.literal('ok') })
export const readyResponse = z.object({ status: z.enum(['ready', 'unavailable']) })
export const registryResponse = z
  .object({
    steps: z.array(z.unknown()),
    workflows: z.array(z.unknown()),
    agents: z.array(z.unknown()),
    connectors: z.array(z.unknown()),
    functions: z.array(z.string()),
    plugins: z.array(z.unknown()),
  })
  .describe('Everything registered, with JSON Schemas (what the designer needs)')
export const openapiResponse = z.record(z.string(), z.unknown()).describe('This document')

export const webhookResponse = z.object({ runId: z.string(), created: z.boolean() })

export const auditQuerySchema = z.object({
  actorId: z.string().min(1).max(200).optional(),
  action: z.string().min(1).max(100).optional(),
  resourceType: z.string().min(1).max(100).optional(),
  resourceId: z.string().min(1).max(200).optional(),
  workflowId: z.string().min(1).max(200).optional(),
  since: z.coerce.number().int().optional(),
  until: z.coerce.number().int().optional(),
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
})
const resourceRefSchema = z.object({
  type: z.string(),
  id: z.string().optional(),
  workflowId: z.string().optional(),
})
export const auditRecordSchema = z.object({
  seq: z.number().int(),
  action: z.string(),
  actor: z.object({ id: z.string(), method: z.string(), name: z.string().optional() }),
  resource: resourceRefSchema,
  outcome: z.object({ ok: z.boolean(), status: z.number().int(), code: z.string().optional() }),
  change: jsonValue.optional(),
  ip: z.string().optional(),
  userAgent: z.string().optional(),
  requestId: z.string(),
  at: epochMs,
  prevHash: z.string(),
  hash: z.string(),
})
export const auditPageResponse = z.object({
  records: z.array(auditRecordSchema),
  nextAfter: z.number().int().optional(),
})
export const auditVerifyResponse = z.union([
  z.object({ ok: z.literal(true), records: z.number().int() }),
  z.object({ ok: z.literal(false), brokenAt: z.number().int(), reason: z.string() }),
])

export const apiKeySchema = z.object({
  keyId: z.string(),
  principalId: z.string(),
  name: z.string(),
  roles: z.array(z.string()),
  scopes: z.array(z.string()).optional(),
  workflows: z.array(z.string()).optional(),
  createdAt: epochMs,
  revokedAt: epochMs.optional(),
  expiresAt: epochMs.optional(),
  lastUsedAt: epochMs.optional(),
})
export const createApiKeyBody = z.object({
  principalId: z.string().min(1).max(200),
  name: z.string().min(1).max(200),
  roles: z.array(z.string().min(1).max(100)).max(50),
  scopes: z.array(z.string().min(1).max(100)).max(100).optional(),
  workflows: z.array(z.string().min(1).max(200)).max(100).optional(),
  expiresAt: z.number().int().optional(),
})
export const createApiKeyResponse = z.object({
  token: z.string().describe('The secret token, shown only this once'),
  key: apiKeySchema,
})
export const apiKeyListResponse = z.object({ keys: z.array(apiKeySchema) })
export const revokeApiKeyResponse = z.object({ keyId: z.string(), revoked: z.boolean() })

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string(),
    requestId: z.string().optional(),
    errors: z
      .array(
        z.object({
          path: z.string(),
          message: z.string(),
          expected: z.string().optional(),
          received: z.string().optional(),
        }),
      )
      .optional(),
  })
  .describe('RFC 9457 problem details')
