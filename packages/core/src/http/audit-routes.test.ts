// The audit trail of every state-changing route, on the memory store (the SQLite and PostgreSQL
// stores run the same suite from packages/connectors/test/http-audit.test.ts).
import { createMemoryStore } from '../index'
import { describeAuditRoutes } from '../../test/http-audit-suite'

describeAuditRoutes('memory store', async () => ({ store: createMemoryStore() }))
