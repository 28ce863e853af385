// The HTTP handler's test kit: an engine on the memory store with a few workflows, a handler
// with a tiny header authenticator, and one request case per route and status (not published).
import { z } from 'zod'
import {
  NonRetryableError,
  createEngine,
  createMemoryStore,
  createStep,
  createWorkflow,
  type Engine,
  type StoreV1,
} from '../src/index'
import {
  createHttpHandler,
  signWebhook,
  type HttpHandler,
  type HttpHandlerOptions,
} from '../src/http/index'
import type { Authenticator } from '../src/http/types'
import { UnauthenticatedError } from '../src/errors/unauthenticated-error'

export const webhookSecret = 'whsec-test-0123456789abcdef'

/** Polls the store until the run has `status` (2 s at most). */
export async function waitForRunStatus(
  store: StoreV1,
  runId: string,
  status: string,
): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await store.getRun(runId))?.status === status) return
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  throw new Error(`Run ${runId} never reached ${status}: ${(await store.getRun(runId))?.status}`)
}

/**
 * Starts one of the kit's workflows (with its default input unless `input` is given) and waits
 * for the status it settles in: greet succeeds, review and payment suspend, failing fails.
 */
export async function startFixtureRun(
  engine: Engine,
  workflowId: string,
  input?: unknown,
): Promise<string> {
  const handle = await engine.start(
    workflowId,
    input ??
      (workflowId === 'greet' || workflowId === 'failing' ? { name: 'Ann' } : { orderId: 'A1' }),
  )
  const status = {
    greet: 'succeeded',
    review: 'suspended',
    payment: 'suspended',
    failing: 'failed',
  }[workflowId]
  await waitForRunStatus(engine.store, handle.id, status as string)
  return handle.id
}

/**
 * `authorization: Test <id>:<role,role>`: the principal with those roles; `Test bad` is refused
 * (credentials that are wrong), no header means no credentials.
 */
export const headerAuth: Authenticator = {
  name: 'test',
  async authenticate({ request }) {
    const header = request.headers.get('authorization')
    if (!header?.startsWith('Test ')) return undefined
    const [id, roles] = header.slice(5).split(':')
    if (!id || roles === undefined)
      throw new UnauthenticatedError({ reason: 'bad test credentials', error: 'invalid_token' })
    return {
      id,
      method: 'test',
      roles: roles === '' ? [] : roles.split(','),
      name: `Name of ${id}`,
    }
  },
}

const greet = createStep({
  id: 'greet',
  input: z.object({ name: z.string() }),
  output: z.object({ greeting: z.string(), email: z.string().optional() }),
  run: ({ input }) => ({ greeting: `Hello ${input.name}`, email: `${input.name}@example.com` }),
})
const explode = createStep({
  id: 'explode',
  input: z.object({ name: z.string() }),
  output: z.object({ name: z.string() }),
  retry: { attempts: 1 },
  run: () => {
    throw new NonRetryableError('boom')
  },
})

export const greetWorkflow = createWorkflow({ id: 'greet', input: z.object({ name: z.string() }) })
  .then(greet)
  .commit()
export const reviewWorkflow = createWorkflow({
  id: 'review',
  input: z.object({ orderId: z.string() }),
})
  .approval({ id: 'manager', schema: z.object({ limit: z.number() }) })
  .commit()
export const paymentWorkflow = createWorkflow({
  id: 'payment',
  input: z.object({ orderId: z.string() }),
})
  .waitForEvent('paid')
  .commit()
export const failingWorkflow = createWorkflow({
  id: 'failing',
  input: z.object({ name: z.string() }),
})
  .then(explode)
  .commit()

export interface HttpKit {
  engine: Engine
  handler: HttpHandler
  /** Sends a request; `as` is `'<id>:<roles>'`, `null` for no credentials. */
  call(
    method: string,
    path: string,
    init?: { as?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<Response>
  request(
    method: string,
    path: string,
    init?: { as?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Request
  /** A run of `workflowId` in the state its status names. */
  run(workflowId: 'greet' | 'review' | 'payment' | 'failing', input?: unknown): Promise<string>
  settled(runId: string, status: string): Promise<void>
  close(): Promise<void>
}

export const admin = 'ada:admin'
export const nobody = 'nobody:'

export function createHttpKit(
  options: Partial<HttpHandlerOptions> & { store?: StoreV1 } = {},
): HttpKit {
  const { store, ...handlerOptions } = options
  const engine = createEngine({
    store: store ?? createMemoryStore(),
    workflows: [greetWorkflow, reviewWorkflow, paymentWorkflow, failingWorkflow],
  })
  const handler = createHttpHandler(engine, {
    auth: headerAuth,
    limits: { bodyBytes: 4096 },
    webhooks: { orders: { workflowId: 'greet', secret: webhookSecret } },
    stream: { poll: 20, heartbeat: 1000 },
    ...handlerOptions,
  })
  const request: HttpKit['request'] = (method, path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers }
    const as = init.as === undefined ? admin : init.as
    if (as !== null) headers.authorization = `Test ${as}`
    let body: string | undefined = init.raw
    if (init.body !== undefined) body = JSON.stringify(init.body)
    if (body !== undefined) headers['content-type'] ??= 'application/json'
    return new Request(`http://tessera.test${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
    })
  }
  const settled = (runId: string, status: string) => waitForRunStatus(engine.store, runId, status)
  return {
    engine,
    handler,
    request,
    call: (method, path, init) => handler(request(method, path, init)),
    run: (workflowId, input) => startFixtureRun(engine, workflowId, input),
    settled,
    close: () => engine.close(),
  }
}

/** One request case: the route, the status it must produce, and how to make it. */
export interface HttpCase {
  route: string
  status: number
  name: string
  send(kit: HttpKit): Promise<Response>
  check?(response: Response, kit: HttpKit): Promise<void> | void
}

const validDefinition = (id = 'stored') =>
  ({ ...structuredClone(greetWorkflow.definition), id }) as Record<string, unknown>

async function stored(kit: HttpKit, id = 'stored') {
  const response = await kit.call('POST', '/definitions', {
    body: { definition: validDefinition(id) },
  })
  if (response.status !== 201)
    throw new Error(`could not store a definition: ${await response.text()}`)
}

async function signed(
  kit: HttpKit,
  body: string,
  headers: Record<string, string> = {},
  secret = webhookSecret,
) {
  return kit.handler(
    new Request('http://tessera.test/webhooks/orders', {
      method: 'POST',
      body,
      headers: { 'x-tessera-signature': await signWebhook({ secret, body }), ...headers },
    }),
  )
}

/** The happy request of each route (what 401, 403, 413 and 400 cases vary). */
export const happy: Record<
  string,
  {
    method: string
    path: (kit: HttpKit) => Promise<string> | string
    body?: (kit: HttpKit) => unknown
    status: number
  }
> = {
  health: { method: 'GET', path: () => '/health', status: 200 },
  ready: { method: 'GET', path: () => '/ready', status: 200 },
  openapi: { method: 'GET', path: () => '/openapi.json', status: 200 },
  'registry.get': { method: 'GET', path: () => '/registry', status: 200 },
  'runs.start': {
    method: 'POST',
    path: () => '/runs',
    body: () => ({ workflowId: 'greet', input: { name: 'Ann' } }),
    status: 201,
  },
  'runs.list': {
    method: 'GET',
    path: () => '/runs?status=succeeded&status=failed&limit=10',
    status: 200,
  },
  'runs.get': {
    method: 'GET',
    path: async (kit) => `/runs/${await kit.run('greet')}`,
    status: 200,
  },
  'runs.cancel': {
    method: 'POST',
    path: async (kit) => `/runs/${await kit.run('payment')}/cancel`,
    body: () => ({ reason: 'no longer needed' }),
    status: 202,
  },
  'runs.retry': {
    method: 'POST',
    path: async (kit) => `/runs/${await kit.run('failing')}/retry`,
    status: 202,
  },
  'runs.approve': {
    method: 'POST',
    path: async (kit) => `/runs/${await kit.run('review')}/approvals/manager/approve`,
    body: () => ({ data: { limit: 500 } }),
    status: 202,
  },
  'runs.reject': {
    method: 'POST',
    path: async (kit) => `/runs/${await kit.run('review')}/approvals/manager/reject`,
    body: () => ({ reason: 'too much' }),
    status: 202,
  },
  'runs.resume': {
    method: 'POST',
    path: async (kit) => `/runs/${await kit.run('payment')}/events`,
    body: () => ({ name: 'paid', payload: { amount: 3 } }),
    status: 202,
  },
  'runs.stream': {
    method: 'GET',
    path: async (kit) => `/runs/${await kit.run('greet')}/stream`,
    status: 200,
  },
  'events.send': {
    method: 'POST',
    path: () => '/events',
    body: () => ({ name: 'paid', payload: {} }),
    status: 202,
  },
  'definitions.list': { method: 'GET', path: () => '/definitions', status: 200 },
  'definitions.create': {
    method: 'POST',
    path: () => '/definitions',
    body: () => ({ definition: validDefinition() }),
    status: 201,
  },
  'definitions.validate': {
    method: 'POST',
    path: () => '/definitions/validate',
    body: () => ({ definition: validDefinition() }),
    status: 200,
  },
  'definitions.get': {
    method: 'GET',
    path: async (kit) => (await stored(kit), '/definitions/stored'),
    status: 200,
  },
  'definitions.update': {
    method: 'PUT',
    path: async (kit) => (await stored(kit), '/definitions/stored'),
    body: () => ({ definition: { ...validDefinition(), description: 'v2' }, expectVersion: 1 }),
    status: 200,
  },
  'definitions.versions': {
    method: 'GET',
    path: async (kit) => (await stored(kit), '/definitions/stored/versions'),
    status: 200,
  },
  'definitions.version': {
    method: 'GET',
    path: async (kit) => (await stored(kit), '/definitions/stored/versions/1'),
    status: 200,
  },
  'definitions.publish': {
    method: 'POST',
    path: async (kit) => (await stored(kit), '/definitions/stored/publish'),
    body: () => ({ version: 1 }),
    status: 200,
  },
  'definitions.delete': {
    method: 'DELETE',
    path: async (kit) => (await stored(kit), '/definitions/stored'),
    status: 200,
  },
  codegen: {
    method: 'POST',
    path: () => '/codegen',
    body: () => ({ definition: validDefinition() }),
    status: 200,
  },
  'audit.list': { method: 'GET', path: () => '/audit?limit=10', status: 200 },
  'audit.verify': { method: 'GET', path: () => '/audit/verify', status: 200 },
  'apiKeys.list': { method: 'GET', path: () => '/api-keys', status: 200 },
  'apiKeys.create': {
    method: 'POST',
    path: () => '/api-keys',
    body: () => ({ principalId: 'svc:ci', name: 'CI', roles: ['operator'] }),
    status: 201,
  },
  'apiKeys.revoke': {
    method: 'DELETE',
    path: async (kit) => {
      const created = await kit.call('POST', '/api-keys', {
        body: { principalId: 'svc:ci', name: 'CI', roles: ['viewer'] },
      })
      const { key } = (await created.json()) as { key: { keyId: string } }
      return `/api-keys/${key.keyId}`
    },
    status: 200,
  },
}

export const sendHappy =
  (
    route: string,
    init: { as?: string | null; bodyOverride?: (body: unknown) => unknown; raw?: string } = {},
  ) =>
  async (kit: HttpKit) => {
    const spec = happy[route]!
    const path = await spec.path(kit)
    const body = spec.body?.(kit)
    return kit.call(spec.method, path, {
      ...(init.as !== undefined ? { as: init.as } : {}),
      ...(init.raw !== undefined
        ? { raw: init.raw }
        : init.bodyOverride
          ? { body: init.bodyOverride(body) }
          : body !== undefined
            ? { body }
            : {}),
    })
  }

const json = async (response: Response) => (await response.clone().json()) as Record<string, any>

/** Hand-written cases: the statuses that need a particular state. */
const special: HttpCase[] = [
  {
    route: 'ready',
    status: 503,
    name: 'the store is not ready',
    async send() {
      const store = createMemoryStore()
      const broken = Object.assign(Object.create(store) as StoreV1, {
        ready: () => Promise.reject(new Error('down')),
      })
      const kit = createHttpKit({ store: broken })
      try {
        return await kit.call('GET', '/ready', { as: null })
      } finally {
        await kit.close()
      }
    },
  },
  {
    route: 'runs.start',
    status: 200,
    name: 'the same Idempotency-Key returns the existing run',
    async send(kit) {
      const first = await kit.call('POST', '/runs', {
        body: { workflowId: 'greet', input: { name: 'Ann' } },
        headers: { 'idempotency-key': 'k-1' },
      })
      const id = (await json(first)).run.id
      const second = await kit.call('POST', '/runs', {
        body: { workflowId: 'greet', input: { name: 'Bob' }, idempotencyKey: 'k-1' },
      })
      if ((await json(second)).run.id !== id) throw new Error('a second run was created')
      return second
    },
  },
  {
    route: 'runs.start',
    status: 404,
    name: 'unknown workflow',
    send: (kit) => kit.call('POST', '/runs', { body: { workflowId: 'nope', input: {} } }),
  },
  {
    route: 'runs.start',
    status: 422,
    name: "input the workflow's schema refuses",
    send: (kit) => kit.call('POST', '/runs', { body: { workflowId: 'greet', input: { name: 7 } } }),
    async check(response) {
      const body = await json(response)
      if (body.errors?.[0]?.path !== 'name') throw new Error(`errors: ${JSON.stringify(body)}`)
    },
  },
  {
    route: 'runs.get',
    status: 404,
    name: 'no such run',
    send: (kit) => kit.call('GET', '/runs/missing'),
  },
  {
    route: 'runs.cancel',
    status: 404,
    name: 'no such run',
    send: (kit) => kit.call('POST', '/runs/missing/cancel'),
  },
  {
    route: 'runs.cancel',
    status: 409,
    name: 'the run ended',
    send: async (kit) => kit.call('POST', `/runs/${await kit.run('greet')}/cancel`),
  },
  {
    route: 'runs.retry',
    status: 404,
    name: 'no such run',
    send: (kit) => kit.call('POST', '/runs/missing/retry'),
  },
  {
    route: 'runs.retry',
    status: 409,
    name: 'the run did not fail',
    send: async (kit) => kit.call('POST', `/runs/${await kit.run('greet')}/retry`),
  },
  {
    route: 'runs.approve',
    status: 404,
    name: 'no such run',
    send: (kit) => kit.call('POST', '/runs/missing/approvals/manager/approve', { body: {} }),
  },
  {
    route: 'runs.approve',
    status: 409,
    name: 'not waiting for it',
    send: async (kit) =>
      kit.call('POST', `/runs/${await kit.run('review')}/approvals/other/approve`, { body: {} }),
  },
  {
    route: 'runs.approve',
    status: 422,
    name: "data the approval's schema refuses",
    send: async (kit) =>
      kit.call('POST', `/runs/${await kit.run('review')}/approvals/manager/approve`, {
        body: { data: { limit: 'x' } },
      }),
  },
  {
    route: 'runs.reject',
    status: 404,
    name: 'no such run',
    send: (kit) => kit.call('POST', '/runs/missing/approvals/manager/reject'),
  },
  {
    route: 'runs.reject',
    status: 409,
    name: 'the run ended',
    send: async (kit) =>
      kit.call('POST', `/runs/${await kit.run('greet')}/approvals/manager/reject`),
  },
  {
    route: 'runs.resume',
    status: 404,
    name: 'no such run',
    send: (kit) => kit.call('POST', '/runs/missing/events', { body: { name: 'paid' } }),
  },
  {
    route: 'runs.stream',
    status: 404,
    name: 'no such run',
    send: (kit) => kit.call('GET', '/runs/missing/stream'),
  },
  {
    route: 'events.send',
    status: 404,
    name: 'runId of no run',
    send: (kit) => kit.call('POST', '/events', { body: { name: 'paid', runId: 'missing' } }),
  },
  {
    route: 'definitions.create',
    status: 409,
    name: 'the id is taken',
    send: async (kit) => (
      await stored(kit),
      kit.call('POST', '/definitions', { body: { definition: validDefinition() } })
    ),
  },
  {
    route: 'definitions.create',
    status: 422,
    name: 'a malformed definition',
    send: (kit) =>
      kit.call('POST', '/definitions', {
        body: { definition: { id: 'broken', kind: 'tessera.workflow', root: 42 } },
      }),
  },
  {
    route: 'definitions.get',
    status: 404,
    name: 'no such definition',
    send: (kit) => kit.call('GET', '/definitions/missing'),
  },
  {
    route: 'definitions.update',
    status: 404,
    name: 'no such definition',
    send: (kit) =>
      kit.call('PUT', '/definitions/missing', { body: { definition: validDefinition('missing') } }),
  },
  {
    route: 'definitions.update',
    status: 409,
    name: 'a stale expectVersion',
    send: async (kit) => (
      await stored(kit),
      kit.call('PUT', '/definitions/stored', {
        body: { definition: { ...validDefinition(), description: 'x' }, expectVersion: 7 },
      })
    ),
  },
  {
    route: 'definitions.update',
    status: 422,
    name: 'a malformed definition',
    send: async (kit) => (
      await stored(kit),
      kit.call('PUT', '/definitions/stored', { body: { definition: { id: 'stored', root: 1 } } })
    ),
  },
  {
    route: 'definitions.versions',
    status: 404,
    name: 'no such definition',
    send: (kit) => kit.call('GET', '/definitions/missing/versions'),
  },
  {
    route: 'definitions.version',
    status: 404,
    name: 'no such version',
    send: async (kit) => (await stored(kit), kit.call('GET', '/definitions/stored/versions/9')),
  },
  {
    route: 'definitions.publish',
    status: 404,
    name: 'no such version',
    send: async (kit) => (
      await stored(kit),
      kit.call('POST', '/definitions/stored/publish', { body: { version: 9 } })
    ),
  },
  {
    route: 'definitions.publish',
    status: 422,
    name: 'a definition the engine cannot register (unknown step)',
    async send(kit) {
      const definition = structuredClone(validDefinition('orphan')) as any
      definition.root.children[0].step = 'no-such-step'
      await kit.call('POST', '/definitions', { body: { definition } })
      return kit.call('POST', '/definitions/orphan/publish', { body: { version: 1 } })
    },
  },
  {
    route: 'definitions.delete',
    status: 409,
    name: 'another writer changed it meanwhile',
    async send() {
      const store = createMemoryStore()
      const racing = Object.assign(Object.create(store) as StoreV1, {
        deleteRecord: async () => false,
      })
      const kit = createHttpKit({ store: racing })
      try {
        await stored(kit)
        return await kit.call('DELETE', '/definitions/stored')
      } finally {
        await kit.close()
      }
    },
  },
  {
    route: 'definitions.delete',
    status: 404,
    name: 'no such definition',
    send: (kit) => kit.call('DELETE', '/definitions/missing'),
  },
  {
    route: 'codegen',
    status: 422,
    name: 'a definition code cannot be written for',
    send: (kit) =>
      kit.call('POST', '/codegen', { body: { definition: { id: 'x', kind: 'tessera.workflow' } } }),
  },
  {
    route: 'webhooks.receive',
    status: 202,
    name: 'a signed delivery starts a run',
    send: (kit) => signed(kit, JSON.stringify({ name: 'Hook' }), { 'x-tessera-delivery': 'd-1' }),
  },
  {
    route: 'webhooks.receive',
    status: 200,
    name: 'the same delivery again returns its run',
    send: async (kit) => (
      await signed(kit, JSON.stringify({ name: 'Hook' }), { 'x-tessera-delivery': 'd-1' }),
      signed(kit, JSON.stringify({ name: 'Hook' }), { 'x-tessera-delivery': 'd-1' })
    ),
  },
  {
    route: 'webhooks.receive',
    status: 400,
    name: 'a body that is not JSON',
    send: (kit) => signed(kit, '{nope'),
  },
  {
    route: 'webhooks.receive',
    status: 401,
    name: 'signed with another secret',
    send: (kit) => signed(kit, '{}', {}, 'another-secret-0123456789'),
  },
  {
    route: 'webhooks.receive',
    status: 404,
    name: 'no such webhook',
    send: (kit) =>
      kit.handler(new Request('http://tessera.test/webhooks/nope', { method: 'POST', body: '{}' })),
  },
  {
    route: 'webhooks.receive',
    status: 413,
    name: 'a body over the limit',
    send: (kit) => signed(kit, JSON.stringify({ name: 'x'.repeat(5000) })),
  },
  {
    route: 'webhooks.receive',
    status: 422,
    name: "input the workflow's schema refuses",
    send: (kit) => signed(kit, JSON.stringify({ name: 5 })),
  },
  {
    route: 'apiKeys.revoke',
    status: 404,
    name: 'no such key',
    send: (kit) => kit.call('DELETE', '/api-keys/0123456789abcdef'),
  },
]

/** 400: each route's own way to be invalid. */
const invalid: Record<string, (kit: HttpKit) => Promise<Response>> = {
  'runs.start': (kit) => kit.call('POST', '/runs', { body: { input: {} } }),
  'runs.list': (kit) => kit.call('GET', '/runs?limit=0'),
  'runs.get': (kit) => kit.call('GET', `/runs/${'r'.repeat(201)}`),
  'runs.cancel': (kit) => kit.call('POST', '/runs/r1/cancel', { body: { reason: 42 } }),
  'runs.retry': (kit) => kit.call('POST', `/runs/${'r'.repeat(201)}/retry`),
  'runs.approve': (kit) =>
    kit.call('POST', '/runs/r1/approvals/manager/approve', { body: { key: '' } }),
  'runs.reject': (kit) =>
    kit.call('POST', '/runs/r1/approvals/manager/reject', { body: { reason: 1 } }),
  'runs.resume': (kit) => kit.call('POST', '/runs/r1/events', { body: { name: '' } }),
  'runs.stream': async (kit) =>
    kit.call('GET', `/runs/${await kit.run('greet')}/stream`, {
      headers: { 'last-event-id': 'abc' },
    }),
  'events.send': (kit) => kit.call('POST', '/events', { body: { name: 'paid', ttl: 'soon' } }),
  'definitions.create': (kit) =>
    kit.call('POST', '/definitions', { body: { definition: { kind: 'x' } } }),
  'definitions.validate': (kit) =>
    kit.call('POST', '/definitions/validate', { raw: '{"definition":' }),
  'definitions.get': (kit) => kit.call('GET', `/definitions/${'w'.repeat(201)}`),
  'definitions.update': (kit) =>
    kit.call('PUT', '/definitions/stored', { body: { definition: validDefinition('other') } }),
  'definitions.versions': (kit) => kit.call('GET', `/definitions/${'w'.repeat(201)}/versions`),
  'definitions.version': (kit) => kit.call('GET', '/definitions/stored/versions/first'),
  'definitions.publish': (kit) =>
    kit.call('POST', '/definitions/stored/publish', { body: { version: 0 } }),
  'definitions.delete': (kit) => kit.call('DELETE', `/definitions/${'w'.repeat(201)}`),
  codegen: (kit) => kit.call('POST', '/codegen', { body: {} }),
  'audit.list': (kit) => kit.call('GET', '/audit?after=-1'),
  'apiKeys.create': (kit) =>
    kit.call('POST', '/api-keys', { body: { principalId: 'svc', name: 'x', roles: 'admin' } }),
  'apiKeys.revoke': (kit) => kit.call('DELETE', `/api-keys/${'k'.repeat(201)}`),
}

/** Every case: the hand-written ones, the happy paths, and 400/401/403/413 derived from the table. */
export function httpCases(
  routes: readonly { id: string; permission: unknown; publicable?: boolean; body?: unknown }[],
): HttpCase[] {
  const cases: HttpCase[] = [...special]
  for (const route of routes) {
    const spec = happy[route.id]
    if (spec)
      cases.push({
        route: route.id,
        status: spec.status,
        name: 'happy path',
        send: sendHappy(route.id),
      })
    if (invalid[route.id])
      cases.push({ route: route.id, status: 400, name: 'invalid input', send: invalid[route.id]! })
    const isPublic = route.publicable === true && (route.id === 'health' || route.id === 'ready')
    if (spec && typeof route.permission === 'string' && !isPublic) {
      cases.push({
        route: route.id,
        status: 401,
        name: 'no credentials',
        send: sendHappy(route.id, { as: null }),
      })
      cases.push({
        route: route.id,
        status: 403,
        name: 'a principal without roles',
        send: sendHappy(route.id, { as: nobody }),
      })
    }
    if (spec && route.body) {
      cases.push({
        route: route.id,
        status: 413,
        name: 'a body over the limit',
        send: sendHappy(route.id, {
          bodyOverride: (body) => ({ ...(body as object), padding: 'x'.repeat(5000) }),
        }),
      })
    }
  }
  return cases
}
