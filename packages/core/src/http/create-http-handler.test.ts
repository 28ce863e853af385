import { afterEach, describe, expect, it } from 'vitest'
import { createEngine, createMemoryStore, type Logger, type StoreV1 } from '../index'
import { admin, createHttpKit, headerAuth, nobody, type HttpKit } from '../../test/http-kit'
import { createHttpHandler } from './create-http-handler'
import { registerPublishedDefinitions } from '../definition/definition-repository'
import { createAccessControl, defaultRoles } from './security/access-control'
import type { AuditRecord } from './types'

const kits: HttpKit[] = []
const kit = (options: Parameters<typeof createHttpKit>[0] = {}) => {
  const made = createHttpKit(options)
  kits.push(made)
  return made
}
afterEach(async () => {
  await Promise.all(kits.splice(0).map((made) => made.close()))
})
const problemOf = async (response: Response) => (await response.json()) as Record<string, any>

describe('hardening', () => {
  it('an unknown route is a 404 problem; a known path with another method is 405 with Allow', async () => {
    const k = kit()
    const missing = await k.call('GET', '/nowhere')
    expect(missing.status).toBe(404)
    expect(await problemOf(missing)).toMatchObject({
      status: 404,
      code: 'not_found',
      detail: 'No route GET /nowhere',
    })
    const wrong = await k.call('PATCH', '/runs')
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('POST, GET, HEAD')
    expect(wrong.headers.get('content-type')).toBe('application/problem+json')
    expect((await problemOf(wrong)).code).toBe('method_not_allowed')
    const deleteRun = await k.call('DELETE', '/runs/r1')
    expect(deleteRun.status).toBe(405)
  })

  it('a body that is not JSON is a 400 naming the parse error; a wrong field is named with its path', async () => {
    const k = kit()
    const broken = await k.call('POST', '/runs', { raw: '{"workflowId": ' })
    expect(broken.status).toBe(400)
    const problem = await problemOf(broken)
    expect(problem.code).toBe('invalid_json')
    expect(problem.detail).toMatch(/^The request body is not valid JSON: /)
    expect(problem.errors[0].path).toBe('body')
    const wrong = await problemOf(
      await k.call('POST', '/runs', { body: { workflowId: 5, input: {} } }),
    )
    expect(wrong.errors).toEqual([
      expect.objectContaining({ path: 'body.workflowId', expected: 'string', received: 'number' }),
    ])
    expect(wrong.detail).toBe('Invalid body: "body.workflowId" must be string, received number')
    const query = await problemOf(await k.call('GET', '/runs?limit=5000'))
    expect(query.errors[0]).toMatchObject({ path: 'query.limit' })
  })

  it('a body over the limit is a 413 problem, also without content-length (streamed)', async () => {
    const k = kit()
    const large = await k.call('POST', '/events', {
      body: { name: 'x', payload: 'y'.repeat(5000) },
    })
    expect(large.status).toBe(413)
    expect((await problemOf(large)).code).toBe('payload_too_large')
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(1000)))
        controller.close()
      },
    })
    const streamed = await k.handler(
      new Request('http://tessera.test/events', {
        method: 'POST',
        body: chunks,
        headers: { authorization: `Test ${admin}` },
        duplex: 'half',
      } as RequestInit),
    )
    expect(streamed.status).toBe(413)
  })

  it('a streamed body (no content-length) within the limit is read whole', async () => {
    const k = kit()
    const json = JSON.stringify({ name: 'streamed-event', payload: { n: 1 } })
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const bytes = new TextEncoder().encode(json)
        controller.enqueue(bytes.subarray(0, 10))
        controller.enqueue(bytes.subarray(10))
        controller.close()
      },
    })
    const response = await k.handler(
      new Request('http://tessera.test/events', {
        method: 'POST',
        body,
        headers: { authorization: `Test ${admin}`, 'content-type': 'application/json' },
        duplex: 'half',
      } as RequestInit),
    )
    expect(response.status).toBe(202)
    expect(await response.json()).toMatchObject({ eventId: expect.any(String) })
  })

  it('Strict-Transport-Security only on answers to secure requests (RFC 6797 §7.2)', async () => {
    const hsts = 'max-age=15552000; includeSubDomains'
    const k = kit()
    const send = (url: string, headers: Record<string, string> = {}) =>
      k.handler(new Request(url, { headers: { authorization: `Test ${admin}`, ...headers } }))
    const viaProxy = { 'x-forwarded-proto': 'https' }
    expect((await send('https://api.example/runs')).headers.get('strict-transport-security')).toBe(
      hsts,
    )
    expect((await send('http://api.example/runs')).headers.get('strict-transport-security')).toBe(
      null,
    )
    // A proxy's word counts only with trustProxy.
    expect(
      (await send('http://api.example/runs', viaProxy)).headers.get('strict-transport-security'),
    ).toBeNull()
    const trusting = kit({ trustProxy: true })
    const proxied = (proto: string) =>
      trusting.handler(
        new Request('http://api.example/health', { headers: { 'x-forwarded-proto': proto } }),
      )
    expect((await proxied('https')).headers.get('strict-transport-security')).toBe(hsts)
    expect((await proxied('HTTPS, http')).headers.get('strict-transport-security')).toBe(hsts)
    expect((await proxied('http, https')).headers.get('strict-transport-security')).toBeNull()
    // The raw entry: the adapter says so.
    const raw = { method: 'GET', url: '/health', headers: {} }
    expect((await k.handler.handle({ ...raw, secure: true })).headers).toMatchObject({
      'strict-transport-security': hsts,
    })
    expect((await k.handler.handle(raw)).headers['strict-transport-security']).toBeUndefined()
    // A host's own value is sent over HTTPS only as well; `false` never sends it.
    const own = kit({ responseHeaders: { 'strict-transport-security': 'max-age=60' } })
    expect(
      (await own.handler(new Request('https://api.example/health'))).headers.get(
        'strict-transport-security',
      ),
    ).toBe('max-age=60')
    expect(
      (await own.handler(new Request('http://api.example/health'))).headers.get(
        'strict-transport-security',
      ),
    ).toBeNull()
    const off = kit({ responseHeaders: { 'strict-transport-security': false } })
    expect(
      (await off.handler(new Request('https://api.example/health'))).headers.get(
        'strict-transport-security',
      ),
    ).toBeNull()
  })

  it('security headers on every response, x-request-id echoed or generated', async () => {
    const k = kit()
    for (const response of [
      await k.call('GET', '/health', { as: null, headers: { 'x-request-id': 'req-42' } }),
      await k.call('GET', '/nowhere'),
      await k.call('GET', '/runs', { as: null }),
    ]) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
      expect(response.headers.get('x-frame-options')).toBe('DENY')
      expect(response.headers.get('content-security-policy')).toBe(
        "default-src 'none'; frame-ancestors 'none'",
      )
      // Plain HTTP: HSTS must not be sent (RFC 6797 §7.2); see the HTTPS test below.
      expect(response.headers.get('strict-transport-security')).toBeNull()
      // Run data is never cached; health sets its own no-store as well.
      expect(response.headers.get('cache-control')).toBe('no-store')
      // Headers for HTML documents only are not sent by an API.
      for (const name of ['x-xss-protection', 'referrer-policy', 'cross-origin-opener-policy']) {
        expect(response.headers.get(name), name).toBeNull()
      }
      expect(response.headers.get('x-request-id')).toMatch(/^[\w.:-]+$/)
    }
    const echoed = await k.call('GET', '/health', {
      as: null,
      headers: { 'x-request-id': 'req-42' },
    })
    expect(echoed.headers.get('x-request-id')).toBe('req-42')
    const refused = await k.call('GET', '/health', {
      as: null,
      headers: { 'x-request-id': 'bad id!' },
    })
    expect(refused.headers.get('x-request-id')).not.toBe('bad id!')
  })

  it('responseHeaders adds, replaces and drops headers of every answer; bad ones are refused at creation', async () => {
    const k = kit({
      responseHeaders: {
        'Referrer-Policy': 'no-referrer',
        'strict-transport-security': false,
        'x-frame-options': 'SAMEORIGIN',
        'cache-control': 'private, max-age=0',
      },
    })
    const runs = await k.call('GET', '/runs', { as: null })
    expect(runs.headers.get('referrer-policy')).toBe('no-referrer')
    expect(runs.headers.get('strict-transport-security')).toBeNull()
    expect(runs.headers.get('x-frame-options')).toBe('SAMEORIGIN')
    expect(runs.headers.get('x-content-type-options')).toBe('nosniff')
    expect(runs.headers.get('cache-control')).toBe('private, max-age=0')
    // A route's own caching still wins: health answers no-store.
    const health = await k.call('GET', '/health', { as: null })
    expect(health.headers.get('cache-control')).toBe('no-store')
    const uncached = await kit({ responseHeaders: { 'cache-control': false } }).call(
      'GET',
      '/runs',
      {
        as: null,
      },
    )
    expect(uncached.headers.get('cache-control')).toBeNull()

    const engine = createEngine({ store: createMemoryStore() })
    const refused = (responseHeaders: unknown) => {
      try {
        createHttpHandler(engine, { auth: 'none-insecure', responseHeaders } as never)
      } catch (error) {
        return error as { code: string; message: string }
      }
      throw new Error('expected createHttpHandler to refuse the options')
    }
    expect(refused({ 'x-ok': 'a\r\nset-cookie: x=1' })).toMatchObject({
      code: 'invalid_argument',
      message: expect.stringMatching(/options\.responseHeaders\.x-ok.*no line breaks/s),
    })
    expect(refused({ 'bad name': 'x' }).message).toMatch(/header names/)
    expect(refused({ 'Content-Type': 'text/html' }).message).toMatch(/handler does not set itself/)
    expect(refused({ 'access-control-allow-origin': '*' }).message).toMatch(/`cors`/)
    expect(refused(['x']).message).toMatch(/an object of header names/)
    await engine.close()
  })

  it('a failure inside shows only its code: no message, no stack; the server log has them with the request id', async () => {
    const store = createMemoryStore()
    const failing = Object.assign(Object.create(store) as StoreV1, {
      getRun: async () => {
        throw new Error('connection string postgres://secret@db leaked?')
      },
    })
    const logged: [string, Record<string, any> | undefined][] = []
    const logger: Logger = {
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: (message, fields) => logged.push([message, fields]),
      child: () => logger,
    }
    const k = kit({ store: failing, logger })
    const response = await k.call('GET', '/runs/r1', { headers: { 'x-request-id': 'req-500' } })
    expect(response.status).toBe(500)
    const text = await response.text()
    expect(text).not.toMatch(/secret|leaked|at .*\.ts/)
    expect(JSON.parse(text)).toMatchObject({
      status: 500,
      code: 'internal',
      detail: 'The request handler failed; the server log has the details',
      requestId: 'req-500',
    })
    expect(logged).toEqual([
      [
        'request failed',
        expect.objectContaining({
          requestId: 'req-500',
          method: 'GET',
          url: expect.stringMatching(/\/runs\/r1$/),
          route: 'runs.get',
          status: 500,
          error: expect.objectContaining({
            message: 'connection string postgres://secret@db leaked?',
          }),
          stack: expect.stringContaining('connection string'),
        }),
      ],
    ])
    // Client errors are the client's: not logged.
    await k.call('GET', '/nowhere')
    expect(logged).toHaveLength(1)
  })

  it('CORS is off by default; configured, it answers preflights for allowed origins only', async () => {
    const off = await kit().call('OPTIONS', '/runs', {
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    })
    expect(off.headers.get('access-control-allow-origin')).toBeNull()
    const k = kit({ cors: { origin: (origin) => origin.endsWith('.example'), credentials: true } })
    const preflight = await k.call('OPTIONS', '/runs', {
      as: null,
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example')
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true')
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/idempotency-key/)
    const other = await k.call('GET', '/health', {
      as: null,
      headers: { origin: 'https://evil.test' },
    })
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('rate limits per principal (429 with Retry-After), anonymous callers per address', async () => {
    let now = 1_000_000
    const k = kit({
      rateLimit: { requests: 2, per: '1m' },
      clock: { now: () => now, setTimeout, clearTimeout },
    })
    expect((await k.call('GET', '/registry')).status).toBe(200)
    expect((await k.call('GET', '/registry')).status).toBe(200)
    const limited = await k.call('GET', '/registry')
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('30')
    expect((await problemOf(limited)).code).toBe('rate_limited')
    // Another principal has its own allowance; anonymous callers count per address.
    expect((await k.call('GET', '/registry', { as: 'bob:viewer' })).status).toBe(200)
    const anonymous = () => k.handler(k.request('GET', '/health', { as: null }), { ip: '10.0.0.1' })
    expect((await anonymous()).status).toBe(200)
    expect((await anonymous()).status).toBe(200)
    expect((await anonymous()).status).toBe(429)
    expect(
      (await k.handler(k.request('GET', '/health', { as: null }), { ip: '10.0.0.2' })).status,
    ).toBe(200)
    now += 30_000
    expect((await k.call('GET', '/registry')).status).toBe(200)
  })

  it('401 carries WWW-Authenticate; wrong credentials are refused at once', async () => {
    const k = kit()
    const none = await k.call('GET', '/runs', { as: null })
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="tessera"')
    const bad = await k.call('GET', '/runs', { headers: { authorization: 'Test bad' }, as: null })
    expect(bad.status).toBe(401)
    expect(bad.headers.get('www-authenticate')).toBe(
      'Bearer realm="tessera", error="invalid_token"',
    )
    expect((await problemOf(bad)).detail).toBe('Authentication failed: bad test credentials')
  })

  it('health and ready are public by default, nothing else is; a base path prefixes every route', async () => {
    const k = kit({ basePath: '/api/tessera' })
    expect((await k.call('GET', '/api/tessera/health', { as: null })).status).toBe(200)
    expect((await k.call('GET', '/api/tessera/ready', { as: null })).status).toBe(200)
    expect((await k.call('GET', '/api/tessera/registry', { as: null })).status).toBe(401)
    expect((await k.call('GET', '/health', { as: null })).status).toBe(404)
    const wrong = await k.call('PUT', '/api/tessera/runs')
    expect([wrong.status, wrong.headers.get('allow')]).toEqual([405, 'POST, GET, HEAD'])
    const started = await k.call('POST', '/api/tessera/runs', {
      body: { workflowId: 'greet', input: { name: 'A' } },
    })
    expect(started.headers.get('location')).toMatch(/^\/api\/tessera\/runs\/.+/)
  })

  it("'none-insecure' makes every caller an anonymous admin", async () => {
    const k = kit({ auth: 'none-insecure' })
    expect((await k.call('GET', '/registry', { as: null })).status).toBe(200)
  })

  it('refuses options it cannot use, saying what was expected', () => {
    const engine = createEngine({ store: createMemoryStore(), worker: false })
    kits.push({ close: () => engine.close() } as HttpKit)
    expect(() => createHttpHandler(engine, {} as never)).toThrow(
      /"options.auth" must be authenticators/,
    )
    expect(() => createHttpHandler(engine, { auth: [headerAuth], basePath: 'api/' })).toThrow(
      /"options.basePath" must be a path/,
    )
    expect(() => createHttpHandler(engine, { auth: headerAuth, limits: { bodyBytes: 0 } })).toThrow(
      /bodyBytes/,
    )
    expect(() =>
      createHttpHandler(engine, {
        auth: headerAuth,
        webhooks: { x: { workflowId: 'w', secret: 'short' } },
      }),
    ).toThrow(/"options.webhooks.x.secret" must be a string of at least 16 characters/)
    expect(() =>
      createHttpHandler(engine, { auth: headerAuth, publicRoutes: ['runs.list' as never] }),
    ).toThrow(/publicRoutes/)
  })
})

describe('runs', () => {
  it('start: Idempotency-Key header or body field; 201 then 200 with the same run; differing keys are a 400', async () => {
    const k = kit()
    const first = await k.call('POST', '/runs', {
      body: { workflowId: 'greet', input: { name: 'A' } },
      headers: { 'idempotency-key': 'order-7' },
    })
    expect(first.status).toBe(201)
    const { run } = (await first.json()) as {
      run: { id: string; idempotencyKey: string; status: string }
    }
    expect(run.idempotencyKey).toBe('order-7')
    const again = await k.call('POST', '/runs', {
      body: { workflowId: 'greet', input: { name: 'B' }, idempotencyKey: 'order-7' },
    })
    expect(again.status).toBe(200)
    expect(((await again.json()) as { run: { id: string } }).run.id).toBe(run.id)
    const both = await k.call('POST', '/runs', {
      body: { workflowId: 'greet', input: {}, idempotencyKey: 'a' },
      headers: { 'idempotency-key': 'b' },
    })
    expect(both.status).toBe(400)
    expect((await problemOf(both)).errors[0].path).toBe('body.idempotencyKey')
  })

  it('masks run data for roles without access and lists only runs of workflows the caller may read', async () => {
    const access = createAccessControl({
      roles: {
        ...defaultRoles,
        'greet-reader': { permissions: ['run:read'], workflows: ['greet'] },
      },
      masks: [
        { workflows: ['greet'], part: 'input', paths: ['name'], reveal: 'run:read-pii' },
        { part: 'step-output', paths: ['email'], reveal: 'run:read-pii' },
      ],
    })
    const k = kit({ access })
    const greetId = await k.run('greet')
    await k.run('payment')
    const seen = (await (await k.call('GET', '/runs', { as: 'gil:greet-reader' })).json()) as {
      runs: { id: string; input: unknown }[]
    }
    expect(seen.runs.map((run) => run.id)).toEqual([greetId])
    expect(seen.runs[0]!.input).toEqual({ name: '[masked]' })
    const adminView = (await (await k.call('GET', '/runs')).json()) as {
      runs: { input: unknown }[]
    }
    expect(adminView.runs).toHaveLength(2)
    expect(adminView.runs.map((run) => run.input)).toContainEqual({ name: 'Ann' })
    const detail = (await (
      await k.call('GET', `/runs/${greetId}`, { as: 'gil:greet-reader' })
    ).json()) as any
    expect(detail.steps[0].output).toEqual({ greeting: 'Hello Ann', email: '[masked]' })
    expect((await k.call('GET', `/runs/${greetId}`, { as: nobody })).status).toBe(403)
    const paymentRuns = await k.call('GET', '/runs?workflowId=payment', { as: 'gil:greet-reader' })
    expect(paymentRuns.status).toBe(403)
  })

  it('get shows what a run waits for; approve passes the principal as `by`', async () => {
    const k = kit()
    const runId = await k.run('review')
    const detail = (await (await k.call('GET', `/runs/${runId}`)).json()) as any
    expect(detail.run.status).toBe('suspended')
    expect(detail.waiting).toEqual([{ kind: 'approval', name: 'manager', key: 'manager' }])
    expect(
      (
        await k.call('POST', `/runs/${runId}/approvals/manager/approve`, {
          as: 'ann:approver',
          body: { data: { limit: 9 } },
        })
      ).status,
    ).toBe(202)
    await k.settled(runId, 'succeeded')
    const output = (await k.engine.store.getRun(runId))!.output as { by?: string }
    expect(output.by).toBe('Name of ann')
  })

  it('audits every state-changing call with actor, resource, outcome and change; a tampered chain is detected', async () => {
    const k = kit()
    const started = (await (
      await k.call('POST', '/runs', { body: { workflowId: 'payment', input: { orderId: 'A1' } } })
    ).json()) as { run: { id: string } }
    await k.settled(started.run.id, 'suspended')
    await k.call('POST', `/runs/${started.run.id}/cancel`, {
      as: 'ann:operator',
      body: { reason: 'dup' },
    })
    await k.call('POST', `/runs/${started.run.id}/cancel`, { as: nobody })
    const page = (await (await k.call('GET', '/audit')).json()) as { records: AuditRecord[] }
    expect(
      page.records.map((record) => [record.action, record.actor.id, record.outcome.status]),
    ).toEqual([
      ['run.start', 'ada', 201],
      ['run.cancel', 'ann', 202],
      ['run.cancel', 'nobody', 403],
    ])
    expect(page.records[0]).toMatchObject({
      resource: { type: 'run', id: started.run.id, workflowId: 'payment' },
      change: { workflowId: 'payment', input: { orderId: 'A1' } },
      outcome: { ok: true },
    })
    expect(page.records[2]!.outcome).toEqual({ ok: false, status: 403, code: 'forbidden' })
    expect(await (await k.call('GET', '/audit/verify')).json()).toEqual({ ok: true, records: 3 })
    const filtered = (await (
      await k.call('GET', '/audit?action=run.cancel&actorId=ann')
    ).json()) as { records: AuditRecord[] }
    expect(filtered.records).toHaveLength(1)
    const stored = await k.engine.store.getRecord!({ collection: 'audit', key: '000000000002' })
    await k.engine.store.putRecord!({
      collection: 'audit',
      key: '000000000002',
      value: { ...(stored!.value as object), change: { reason: 'edited' } },
      now: Date.now(),
    })
    const verdict = (await (await k.call('GET', '/audit/verify')).json()) as {
      ok: boolean
      brokenAt: number
    }
    expect(verdict).toMatchObject({ ok: false, brokenAt: 2 })
  })
})

describe('definitions', () => {
  it('keeps a version history: create, update (unchanged content keeps the version), publish, start', async () => {
    const k = kit()
    const definition = {
      ...structuredClone(k.engine.registry.workflows.require('greet').definition),
      id: 'hello',
    } as Record<string, unknown>
    expect((await k.call('POST', '/definitions', { body: { definition } })).status).toBe(201)
    const same = (await (
      await k.call('PUT', '/definitions/hello', { body: { definition } })
    ).json()) as any
    expect(same.definition.latestVersion).toBe(1)
    const changed = (await (
      await k.call('PUT', '/definitions/hello', {
        body: { definition: { ...definition, description: 'v2' }, expectVersion: 1 },
      })
    ).json()) as any
    expect(changed.version).toMatchObject({ version: 2, createdBy: 'Name of ada' })
    const versions = (await (await k.call('GET', '/definitions/hello/versions')).json()) as any
    expect(versions.versions.map((version: { version: number }) => version.version)).toEqual([1, 2])
    expect(
      (await k.call('POST', '/runs', { body: { workflowId: 'hello', input: { name: 'X' } } }))
        .status,
    ).toBe(404)
    const published = (await (
      await k.call('POST', '/definitions/hello/publish', { body: { version: 2 } })
    ).json()) as any
    expect(published.definition.publishedVersion).toBe(2)
    expect(
      (await k.call('POST', '/runs', { body: { workflowId: 'hello', input: { name: 'X' } } }))
        .status,
    ).toBe(201)
    const got = (await (await k.call('GET', '/definitions/hello')).json()) as any
    expect(got.latest.definition.description).toBe('v2')
    expect(got.published.version).toBe(2)
  })

  it('another process registers the published versions at start-up (registerPublishedDefinitions)', async () => {
    const k = kit()
    const definition = {
      ...structuredClone(k.engine.registry.workflows.require('greet').definition),
      id: 'hello',
    } as Record<string, unknown>
    await k.call('POST', '/definitions', { body: { definition } })
    await k.call('POST', '/definitions', { body: { definition: { ...definition, id: 'draft' } } })
    await k.call('POST', '/definitions/hello/publish', { body: { version: 1 } })
    const other = createEngine({ store: k.engine.store, worker: false })
    kits.push({ close: () => other.close() } as HttpKit)
    other.register(k.engine.registry.steps.require('greet'))
    expect(await registerPublishedDefinitions(other)).toEqual(['hello'])
    expect(other.registry.workflows.has('hello')).toBe(true)
    expect(other.registry.workflows.has('draft')).toBe(false)
  })

  it('validate reports issues with paths; codegen writes builder code', async () => {
    const k = kit()
    const definition = structuredClone(
      k.engine.registry.workflows.require('greet').definition,
    ) as any
    definition.root.children[0].step = 'nope'
    const result = (await (
      await k.call('POST', '/definitions/validate', { body: { definition } })
    ).json()) as any
    expect(result.valid).toBe(false)
    expect(result.issues[0]).toMatchObject({ code: 'unknown_step', severity: 'error' })
    const code = (await (
      await k.call('POST', '/codegen', {
        body: { definition: k.engine.registry.workflows.require('greet').definition },
      })
    ).json()) as any
    expect(code.code).toMatch(/createWorkflow\(/)
  })
})
