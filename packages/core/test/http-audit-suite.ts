// The audit assertions of the HTTP surface, on any store that keeps records: every route of the
// table with an audit action is called (allowed, then denied) and its record is checked field by
// field through GET /audit; then one stored record is changed through putRecord and
// GET /audit/verify must name its seq. The memory store runs it in
// packages/core/src/http/audit-routes.test.ts, SQLite and PostgreSQL in packages/connectors/test.
import { afterEach, describe, expect, it } from 'vitest'
import type { StoreV1 } from '../src/index'
import {
  auditCollection,
  signWebhook,
  type AuditRecord,
  type RouteDefinition,
} from '../src/http/index'
import { happy, webhookSecret } from './http-kit'
import { createKeyedHandler, createKeyedKit, principalOf, type KeyedKit } from './http-keyed-kit'

/** A store for one test, and how to let go of it. */
export interface AuditSuiteStore {
  store: StoreV1
  close?(): Promise<void>
}

/** What a route's record must say, from the path that was called and the response's body. */
interface Expectation {
  resource(path: string, body: any): Record<string, unknown>
  change(path: string, body: any): unknown
}

const segment = (path: string, index: number) =>
  decodeURIComponent(new URL(path, 'http://x').pathname.split('/')[index]!)
const runOf = (workflowId: string) => (path: string) => ({
  type: 'run',
  id: segment(path, 2),
  workflowId,
})
const definition = (path: string) => ({
  type: 'definition',
  id: segment(path, 2),
  workflowId: segment(path, 2),
})

/** One row per audited route (the happy requests of test/http-kit.ts, made by the admin key). */
const expectations: Record<string, Expectation> = {
  'runs.start': {
    resource: (_path, body) => ({ type: 'run', id: body.run.id, workflowId: 'greet' }),
    // Masked fields are masked in the trail whoever started the run (see the case below).
    change: () => ({ workflowId: 'greet', input: { name: '[masked]' } }),
  },
  'runs.cancel': { resource: runOf('payment'), change: () => ({ reason: 'no longer needed' }) },
  'runs.retry': { resource: runOf('failing'), change: () => undefined },
  'runs.approve': {
    resource: runOf('review'),
    // The approval's data is run data: the record says that some came, not what.
    change: () => ({ approvalId: 'manager', by: 'admin', withData: true }),
  },
  'runs.reject': {
    resource: runOf('review'),
    change: () => ({ approvalId: 'manager', reason: 'too much', by: 'admin' }),
  },
  'runs.resume': { resource: runOf('payment'), change: () => ({ name: 'paid' }) },
  'events.send': {
    resource: () => ({ type: 'event', id: 'paid' }),
    change: () => ({ name: 'paid' }),
  },
  'definitions.create': {
    resource: () => ({ type: 'definition', id: 'stored', workflowId: 'stored' }),
    change: (_path, body) => ({
      version: 1,
      contentHash: body.version.contentHash,
      definition: expect.objectContaining({ id: 'stored' }),
    }),
  },
  'definitions.update': {
    resource: definition,
    change: (_path, body) => ({
      version: 2,
      created: true,
      contentHash: body.version.contentHash,
      definition: expect.objectContaining({ id: 'stored', description: 'v2' }),
    }),
  },
  'definitions.publish': {
    resource: definition,
    change: () => ({ version: 1, workflowVersion: expect.any(String) }),
  },
  'definitions.delete': { resource: definition, change: () => ({ latestVersion: 1 }) },
  'apiKeys.create': {
    resource: (_path, body) => ({ type: 'api-key', id: body.key.keyId }),
    change: (_path, body) => body.key,
  },
  'apiKeys.revoke': {
    resource: (path) => ({ type: 'api-key', id: segment(path, 2) }),
    change: () => undefined,
  },
  'webhooks.receive': {
    resource: (_path, body) => ({ type: 'run', id: body.runId, workflowId: 'greet' }),
    change: () => ({ webhook: 'orders', delivery: 'delivery-1' }),
  },
}

/** The audited routes of the handler's table. */
const auditedRoutes = (): RouteDefinition[] =>
  createKeyedHandler().handler.routes.filter((route) => route.audit !== undefined)

let requestCounter = 0
const nextRequestId = (label: string) => `audit-${label}-${++requestCounter}`

async function records(kit: KeyedKit): Promise<AuditRecord[]> {
  const response = await kit.call('GET', '/audit?limit=1000')
  expect(response.status).toBe(200)
  return ((await response.json()) as { records: AuditRecord[] }).records
}

async function recordOf(kit: KeyedKit, requestId: string): Promise<AuditRecord | undefined> {
  return (await records(kit)).find((record) => record.requestId === requestId)
}

async function signedDelivery(kit: KeyedKit, requestId: string, secret = webhookSecret) {
  const body = JSON.stringify({ name: 'Hook' })
  return kit.handler(
    new Request('http://tessera.test/webhooks/orders', {
      method: 'POST',
      body,
      headers: {
        'x-tessera-signature': await signWebhook({ secret, body }),
        'x-tessera-delivery': 'delivery-1',
        'x-request-id': requestId,
        'user-agent': 'matrix-test/1',
      },
    }),
    { ip: '203.0.113.7' },
  )
}

/** Calls the route's happy request as `caller`; the path it used, the response and its body. */
async function perform(
  kit: KeyedKit,
  routeId: string,
  caller: 'admin' | 'viewer',
  requestId: string,
) {
  if (routeId === 'webhooks.receive') {
    const secret = caller === 'admin' ? webhookSecret : 'not-the-secret-0123456789'
    const response = await signedDelivery(kit, requestId, secret)
    return { path: '/webhooks/orders', response, body: (await response.json()) as unknown }
  }
  const spec = happy[routeId]!
  const path = await spec.path(kit)
  const body = spec.body?.(kit)
  const response = await kit.call(spec.method, path, {
    as: caller,
    headers: { 'x-request-id': requestId },
    ...(body !== undefined ? { body } : {}),
  })
  return { path, response, body: (await response.json()) as unknown }
}

/**
 * Registers the audit suite for a store. `makeStore` gives a fresh, empty store per test.
 *
 * @example
 * ```ts
 * describeAuditRoutes('memory', async () => ({ store: createMemoryStore() }))
 * ```
 */
export function describeAuditRoutes(label: string, makeStore: () => Promise<AuditSuiteStore>) {
  describe(`audit of the HTTP routes (${label})`, () => {
    const open: AuditSuiteStore[] = []
    const kits: KeyedKit[] = []
    afterEach(async () => {
      await Promise.all(kits.splice(0).map((kit) => kit.close()))
      for (const made of open.splice(0)) await made.close?.()
    })
    const kit = async () => {
      const made = await makeStore()
      open.push(made)
      const created = await createKeyedKit(made.store)
      kits.push(created)
      return created
    }

    it('every route with an audit action has its expectation here', () => {
      const audited = auditedRoutes().map((route) => route.id)
      expect(audited.length).toBeGreaterThanOrEqual(14)
      expect(Object.keys(expectations).sort()).toEqual([...audited].sort())
    })

    describe.each(auditedRoutes().map((route) => [route.id, route] as const))(
      '%s',
      (routeId, route) => {
        it('an allowed call is recorded: action, actor, resource, outcome, change, ip, requestId', async () => {
          const k = await kit()
          const expectation = expectations[routeId]
          if (!expectation) throw new Error(`no audit expectation for route "${routeId}"`)
          const requestId = nextRequestId(routeId)
          const before = Date.now()
          const { path, response, body } = await perform(k, routeId, 'admin', requestId)
          expect(response.status, JSON.stringify(body)).toBeLessThan(300)
          const record = await recordOf(k, requestId)
          expect(record, `no audit record with requestId ${requestId}`).toBeDefined()
          const webhook = routeId === 'webhooks.receive'
          expect(record).toMatchObject({
            action: route.audit,
            actor: webhook
              ? { id: 'webhook:orders', method: 'webhook-signature' }
              : { id: principalOf.admin, method: 'api-key', name: 'admin' },
            resource: expectation.resource(path, body),
            outcome: { ok: true, status: response.status },
            ip: '203.0.113.7',
            userAgent: 'matrix-test/1',
            requestId,
          })
          expect(record!.outcome).not.toHaveProperty('code')
          expect(record!.at).toBeGreaterThanOrEqual(before - 1000)
          expect(record!.at).toBeLessThanOrEqual(Date.now() + 1000)
          const change = expectation.change(path, body)
          if (change === undefined) expect(record).not.toHaveProperty('change')
          else expect(record!.change).toEqual(change)
          // No secret ever reaches the trail.
          expect(JSON.stringify(record)).not.toMatch(/tsk_|"hash":"[0-9a-f]{64}".*"token"/)
          expect(JSON.stringify(record!.change ?? null)).not.toMatch(/"token"|"hash"/)
        })

        it('a denied call is recorded too: 403 forbidden (a bad signature: 401, and no run)', async () => {
          const k = await kit()
          const requestId = nextRequestId(`${routeId}-denied`)
          const { response } = await perform(k, routeId, 'viewer', requestId)
          const record = await recordOf(k, requestId)
          if (routeId === 'webhooks.receive') {
            expect(response.status).toBe(401)
            expect(record).toMatchObject({
              action: 'webhook.start',
              outcome: { ok: false, status: 401, code: 'unauthenticated' },
              ip: '203.0.113.7',
              requestId,
            })
            // Nobody was authenticated: the record names no key's principal (the handler calls
            // the sender `anonymous`, or after the webhook, `webhook:orders`).
            expect(['anonymous', 'webhook:orders']).toContain(record!.actor.id)
            expect(await k.engine.listRuns({})).toMatchObject({ runs: [] })
            return
          }
          expect(response.status).toBe(403)
          expect(record).toMatchObject({
            action: route.audit,
            actor: { id: principalOf.viewer, method: 'api-key', name: 'viewer' },
            outcome: { ok: false, status: 403, code: 'forbidden' },
            ip: '203.0.113.7',
            requestId,
          })
        })
      },
    )

    it('calls without credentials (401) leave no record: there is no actor to name', async () => {
      const k = await kit()
      const count = (await records(k)).length
      const response = await k.call('POST', '/runs', {
        as: null,
        body: { workflowId: 'greet', input: { name: 'Ann' } },
      })
      expect(response.status).toBe(401)
      expect((await records(k)).length).toBe(count)
    })

    it('a run started by someone holding pii:read is recorded with the input masked all the same: audit:read alone must not reveal it', async () => {
      const k = await kit()
      const requestId = nextRequestId('masked-start')
      const response = await k.call('POST', '/runs', {
        as: 'admin',
        headers: { 'x-request-id': requestId },
        body: { workflowId: 'greet', input: { name: 'Ann' } },
      })
      expect(response.status).toBe(201)
      expect((await recordOf(k, requestId))?.change).toEqual({
        workflowId: 'greet',
        input: { name: '[masked]' },
      })
    })

    it('records are numbered 1, 2, 3… and hash-chained; GET /audit pages by seq', async () => {
      const k = await kit()
      for (let i = 0; i < 5; i++) {
        await k.call('POST', '/events', { body: { name: `e${i}` } })
      }
      const all = await records(k)
      expect(all.map((record) => record.seq)).toEqual([1, 2, 3, 4, 5])
      for (let i = 1; i < all.length; i++) expect(all[i]!.prevHash).toBe(all[i - 1]!.hash)
      const page = (await (await k.call('GET', '/audit?after=2&limit=2')).json()) as {
        records: AuditRecord[]
        nextAfter?: number
      }
      expect(page.records.map((record) => record.seq)).toEqual([3, 4])
      expect(page.nextAfter).toBe(4)
      const filtered = (await (
        await k.call('GET', '/audit?action=event.send&limit=100')
      ).json()) as {
        records: AuditRecord[]
      }
      expect(filtered.records).toHaveLength(5)
    })

    it('GET /audit/verify finds a record changed through putRecord, at its seq', async () => {
      const k = await kit()
      for (let i = 0; i < 4; i++) {
        await k.call('POST', '/events', { body: { name: `e${i}` } })
      }
      const intact = await (await k.call('GET', '/audit/verify')).json()
      expect(intact).toEqual({ ok: true, records: 4 })
      const key = '000000000003'
      const stored = await k.store.getRecord!({ collection: auditCollection, key })
      expect(stored, 'the audit record 3 is kept under its zero-padded seq').toBeDefined()
      const tampered = {
        ...(stored!.value as AuditRecord),
        actor: { id: 'user:someone-else', method: 'api-key' },
      }
      const put = await k.store.putRecord!({
        collection: auditCollection,
        key,
        value: tampered,
        now: Date.now(),
        expectRevision: stored!.revision,
      })
      expect(put.status).toBe('written')
      const verdict = (await (await k.call('GET', '/audit/verify')).json()) as Record<
        string,
        unknown
      >
      expect(verdict).toMatchObject({ ok: false, brokenAt: 3 })
      expect(String(verdict.reason)).toMatch(/record 3 .*changed/)
    })

    it('GET /audit/verify finds a removed record at its seq', async () => {
      const k = await kit()
      for (let i = 0; i < 4; i++) {
        await k.call('POST', '/events', { body: { name: `e${i}` } })
      }
      const removed = await k.store.deleteRecord!({
        collection: auditCollection,
        key: '000000000002',
      })
      expect(removed).toBe(true)
      const verdict = (await (await k.call('GET', '/audit/verify')).json()) as Record<
        string,
        unknown
      >
      expect(verdict).toMatchObject({ ok: false, brokenAt: 2 })
      expect(String(verdict.reason)).toMatch(/removed/)
    })
  })
}
