import { auditPageResponse, auditQuerySchema, auditVerifyResponse } from '../http-schemas'
import { defineRoute } from '../route'
import type { AuditTrail } from '../types'

export const listAudit = defineRoute({
  id: 'audit.list',
  method: 'GET',
  path: '/audit',
  summary: 'Audit records, oldest first; page with `after` (the last `seq` seen)',
  tag: 'audit',
  query: auditQuerySchema,
  responses: { 200: { description: 'One page of records', schema: auditPageResponse } },
  permission: 'audit:read',
  resource: ({ query }) => ({
    type: 'audit',
    ...(query.workflowId !== undefined ? { workflowId: query.workflowId } : {}),
  }),
  enabled: (services) => services.audit !== undefined,
  async handle({ query, services }) {
    return { status: 200, body: await (services.audit as AuditTrail).query(query) }
  },
})

export const verifyAudit = defineRoute({
  id: 'audit.verify',
  method: 'GET',
  path: '/audit/verify',
  summary: 'Recompute the hash chain: `ok`, or the first record that does not match',
  tag: 'audit',
  responses: { 200: { description: 'The verdict', schema: auditVerifyResponse } },
  permission: 'audit:read',
  resource: () => ({ type: 'audit' }),
  enabled: (services) => services.audit !== undefined,
  async handle({ services }) {
    return { status: 200, body: await (services.audit as AuditTrail).verify() }
  },
})

export const auditRoutes = [listAudit, verifyAudit]
