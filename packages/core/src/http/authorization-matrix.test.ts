// The authorisation matrix: every route the handler serves × every default role, anonymous, a
// key with narrowed scopes and a key with per-workflow grants only. Real API keys (createApiKeys
// on the memory store, checked by apiKeyAuth), real requests through the handler. A route the
// handler serves without a row here fails the first test: add its row.
import { describe, expect, it } from 'vitest'
import { happy, webhookSecret } from '../../test/http-kit'
import {
  callers,
  createKeyedHandler,
  createKeyedKit,
  readEvents,
  type Caller,
  type KeyedKit,
} from '../../test/http-keyed-kit'
import { signWebhook } from './webhook-signature'

type Keyed = Exclude<Caller, 'anonymous'>

/**
 * Who may call each route. `public`: everyone, anonymous included; `signature`: the request's
 * HMAC signature decides, whatever credentials come with it; otherwise the callers allowed
 * (every other caller gets 403 `forbidden`, anonymous 401).
 */
type Row = { allow: readonly Keyed[] } | 'public' | 'signature'

const readers = ['admin', 'editor', 'operator', 'approver', 'viewer', 'narrowed'] as const
const registryReaders = ['admin', 'editor', 'operator', 'viewer', 'narrowed'] as const
const definitionReaders = ['admin', 'editor', 'viewer'] as const
const definitionEditors = ['admin', 'editor'] as const

// What each request acts on (the happy requests of test/http-kit.ts): runs.get, runs.stream on a
// `greet` run; runs.cancel and runs.resume on a `payment` run; runs.retry on a `failing` run;
// approve/reject on a `review` run; runs.start starts `greet`; events.send names no run.
const matrix: Record<string, Row> = {
  health: 'public',
  ready: 'public',
  openapi: { allow: registryReaders },
  'registry.get': { allow: registryReaders },
  'runs.start': { allow: ['admin', 'operator'] },
  // A listing is refused only to those who may read no run at all; it is filtered per run.
  'runs.list': { allow: [...readers, 'granted'] },
  'runs.get': { allow: readers },
  'runs.cancel': { allow: ['admin', 'operator', 'granted'] },
  'runs.retry': { allow: ['admin', 'operator'] },
  'runs.approve': { allow: ['admin', 'operator', 'approver', 'granted'] },
  'runs.reject': { allow: ['admin', 'operator', 'approver', 'granted'] },
  'runs.resume': { allow: ['admin', 'operator', 'granted'] },
  'runs.stream': { allow: readers },
  // Gina's event:send holds on her workflows; an event for no run has no workflow.
  'events.send': { allow: ['admin', 'operator'] },
  'definitions.list': { allow: definitionReaders },
  'definitions.create': { allow: definitionEditors },
  'definitions.get': { allow: definitionReaders },
  'definitions.update': { allow: definitionEditors },
  'definitions.versions': { allow: definitionReaders },
  'definitions.version': { allow: definitionReaders },
  'definitions.publish': { allow: definitionEditors },
  'definitions.delete': { allow: definitionEditors },
  'definitions.validate': { allow: definitionReaders },
  codegen: { allow: definitionReaders },
  'webhooks.receive': 'signature',
  'audit.list': { allow: ['admin'] },
  'audit.verify': { allow: ['admin'] },
  'apiKeys.list': { allow: ['admin'] },
  'apiKeys.create': { allow: ['admin'] },
  'apiKeys.revoke': { allow: ['admin'] },
}

// The route table as the handler serves it (the same options as every kit below).
const routes = createKeyedHandler().handler.routes

const expected = (row: Row, caller: Caller): 'allowed' | 'forbidden' | 'unauthenticated' => {
  if (row === 'public' || row === 'signature') return 'allowed'
  if (caller === 'anonymous') return 'unauthenticated'
  return row.allow.includes(caller) ? 'allowed' : 'forbidden'
}

async function withKit<T>(use: (kit: KeyedKit) => Promise<T>): Promise<T> {
  const kit = await createKeyedKit()
  try {
    return await use(kit)
  } finally {
    await kit.close()
  }
}

/** Sends the route's happy request as `caller` (state it needs is prepared as admin). */
async function send(kit: KeyedKit, routeId: string, caller: Caller): Promise<Response> {
  const spec = happy[routeId]
  if (!spec) throw new Error(`test/http-kit.ts has no happy request for route "${routeId}"`)
  const path = await spec.path(kit)
  const body = spec.body?.(kit)
  return kit.call(spec.method, path, {
    as: caller,
    ...(body !== undefined ? { body } : {}),
  })
}

describe('authorisation matrix', () => {
  it('has one row per route the handler serves, and none for routes it does not', () => {
    const served = routes.map((route) => route.id).sort()
    expect(Object.keys(matrix).sort()).toEqual(served)
  })

  it('lists every route of the table (the webhook route is on because webhooks are configured)', () => {
    expect(routes.map((route) => route.id)).toContain('webhooks.receive')
    expect(routes.length).toBeGreaterThanOrEqual(30)
  })

  describe.each(routes.map((route) => [route.id, route] as const))('%s', (routeId, route) => {
    const row = matrix[routeId]
    if (row === 'signature') {
      it.each(callers)('%s: a signed delivery is accepted, an unsigned one is 401', (caller) =>
        withKit(async (kit) => {
          const body = JSON.stringify({ name: 'Hook' })
          const credentials: Record<string, string> =
            caller === 'anonymous' ? {} : { authorization: `Bearer ${kit.tokens[caller]}` }
          const signed = await kit.handler(
            new Request('http://tessera.test/webhooks/orders', {
              method: 'POST',
              body,
              headers: {
                ...credentials,
                'x-tessera-signature': await signWebhook({
                  secret: webhookSecret,
                  body,
                }),
              },
            }),
          )
          expect(signed.status, await signed.clone().text()).toBe(202)
          const unsigned = await kit.handler(
            new Request('http://tessera.test/webhooks/orders', {
              method: 'POST',
              body,
              headers: credentials,
            }),
          )
          expect(unsigned.status).toBe(401)
          expect((await unsigned.json()).code).toBe('unauthenticated')
        }),
      )
      return
    }
    it.each(callers)('%s', (caller) =>
      withKit(async (kit) => {
        if (!row) throw new Error(`route "${routeId}" has no row in the authorisation matrix`)
        const outcome = expected(row, caller)
        const response = await send(kit, routeId, caller)
        const text = await response.text()
        if (outcome === 'allowed') {
          expect(response.status, text).toBe(happy[routeId]!.status)
          return
        }
        const problem = JSON.parse(text) as Record<string, unknown>
        expect(response.headers.get('content-type')).toBe('application/problem+json')
        if (outcome === 'unauthenticated') {
          expect(response.status, text).toBe(401)
          expect(problem.code).toBe('unauthenticated')
          expect(response.headers.get('www-authenticate')).toBeTruthy()
        } else {
          expect(response.status, text).toBe(403)
          expect(problem.code).toBe('forbidden')
          expect(String(problem.detail)).toContain(String(route.permission))
        }
      }),
    )
  })
})

describe('authorisation matrix: per-workflow grants', () => {
  it('Gina (grants on review and pay* only) acts on those runs and no other', () =>
    withKit(async (kit) => {
      const review = await kit.run('review')
      const payment = await kit.run('payment')
      const greet = await kit.run('greet')
      const failing = await kit.run('failing')
      const as = 'granted' as const
      expect((await kit.call('GET', `/runs/${review}`, { as })).status).toBe(200)
      expect((await kit.call('GET', `/runs/${payment}`, { as })).status).toBe(200)
      expect((await kit.call('GET', `/runs/${greet}`, { as })).status).toBe(403)
      expect((await kit.call('POST', `/runs/${failing}/retry`, { as })).status).toBe(403)
      const started = await kit.call('POST', '/runs', {
        as,
        body: { workflowId: 'payment', input: { orderId: 'G1' } },
      })
      expect(started.status).toBe(201)
      const refused = await kit.call('POST', '/runs', {
        as,
        body: { workflowId: 'greet', input: { name: 'G' } },
      })
      expect(refused.status).toBe(403)
      const listed = (await (await kit.call('GET', '/runs', { as })).json()) as {
        runs: { id: string; workflowId: string }[]
      }
      expect(new Set(listed.runs.map((run) => run.workflowId))).toEqual(
        new Set(['review', 'payment']),
      )
      // Filtering by a workflow outside the grants is refused outright.
      expect((await kit.call('GET', '/runs?workflowId=greet', { as })).status).toBe(403)
    }))

  it('narrowed scopes cut what the role allows: an operator key scoped to reading cannot act', () =>
    withKit(async (kit) => {
      const payment = await kit.run('payment')
      expect((await kit.call('GET', `/runs/${payment}`, { as: 'narrowed' })).status).toBe(200)
      const cancel = await kit.call('POST', `/runs/${payment}/cancel`, { as: 'narrowed' })
      expect(cancel.status).toBe(403)
      expect((await kit.store.getRun(payment))?.status).toBe('suspended')
      // …and a scope the roles lack gives nothing (definition:read is not an operator's).
      expect((await kit.call('GET', '/definitions', { as: 'narrowed' })).status).toBe(403)
    }))
})

// ── field masking ────────────────────────────────────────────────────────────────────────────

type Sight = 'revealed' | 'masked' | 'denied'

/** What each caller sees of a `greet` run (input name, output email) and a `review` run (orderId). */
const sight: Record<Keyed, { greet: Sight; review: Sight }> = {
  admin: { greet: 'revealed', review: 'revealed' },
  editor: { greet: 'masked', review: 'masked' },
  operator: { greet: 'masked', review: 'masked' },
  approver: { greet: 'masked', review: 'revealed' },
  viewer: { greet: 'masked', review: 'masked' },
  narrowed: { greet: 'masked', review: 'masked' },
  granted: { greet: 'denied', review: 'revealed' },
}
const keyed = callers.filter((caller): caller is Keyed => caller !== 'anonymous')

interface RunViewed {
  id: string
  input: Record<string, unknown>
  output?: Record<string, unknown>
}

/** The masked fields of each workflow's run, as stored and as a caller without pii:read sees them. */
const fields = {
  greet: (run: RunViewed, steps?: { output?: Record<string, unknown> }[]) => ({
    name: run.input.name,
    email: run.output?.email,
    greeting: run.output?.greeting,
    ...(steps ? { stepEmail: steps[0]?.output?.email } : {}),
  }),
  review: (run: RunViewed) => ({ orderId: run.input.orderId }),
}
const real = {
  greet: { name: 'Ann', email: 'Ann@example.com', greeting: 'Hello Ann' },
  review: { orderId: 'A1' },
}
const masked = {
  greet: { name: '[masked]', email: '[masked]', greeting: 'Hello Ann' },
  review: { orderId: '[masked]' },
}
const shown = <W extends 'greet' | 'review'>(workflow: W, how: Sight): (typeof real)[W] =>
  how === 'revealed' ? real[workflow] : masked[workflow]

describe.each(keyed)('masking: %s', (caller) => {
  it.each(['greet', 'review'] as const)(
    'runs.get, runs.list and runs.stream of a %s run',
    (workflow) =>
      withKit(async (kit) => {
        const runId = await kit.run(workflow)
        const how = sight[caller][workflow]

        const got = await kit.call('GET', `/runs/${runId}`, { as: caller })
        const list = (await (await kit.call('GET', '/runs', { as: caller })).json()) as {
          runs: RunViewed[]
        }
        const listed = list.runs.find((run) => run.id === runId)
        const stream = await kit.call('GET', `/runs/${runId}/stream`, { as: caller })
        if (how === 'denied') {
          expect(got.status).toBe(403)
          expect(listed).toBeUndefined()
          expect(stream.status).toBe(403)
          return
        }
        const detail = (await got.json()) as {
          run: RunViewed
          steps: { output?: Record<string, unknown> }[]
        }
        expect(stream.status).toBe(200)
        const events = await readEvents(stream, (event) =>
          workflow === 'greet' ? event.event === 'run-end' : event.event === 'run-start',
        )
        if (workflow === 'greet') {
          const want = shown('greet', how)
          expect(fields.greet(detail.run, detail.steps)).toEqual({ ...want, stepEmail: want.email })
          expect(fields.greet(listed!)).toEqual(want)
          const start = events.find((event) => event.event === 'run-start')!.data as {
            input: Record<string, unknown>
          }
          const step = events.find((event) => event.event === 'step-end')!.data as {
            output: Record<string, unknown>
          }
          const end = events.find((event) => event.event === 'run-end')!.data as {
            output: Record<string, unknown>
          }
          expect({
            name: start.input.name,
            stepEmail: step.output.email,
            email: end.output.email,
            greeting: end.output.greeting,
          }).toEqual({ ...want, stepEmail: want.email })
        } else {
          const want = shown('review', how)
          expect(fields.review(detail.run)).toEqual(want)
          expect(fields.review(listed!)).toEqual(want)
          const start = events.find((event) => event.event === 'run-start')!.data as {
            input: Record<string, unknown>
          }
          expect({ orderId: start.input.orderId }).toEqual(want)
        }
      }),
  )
})

describe('masking never changes what is stored', () => {
  it('the store keeps the real values after masked reads', () =>
    withKit(async (kit) => {
      const runId = await kit.run('greet')
      await (await kit.call('GET', `/runs/${runId}`, { as: 'viewer' })).text()
      const stored = await kit.store.getRun(runId)
      expect(stored?.input).toEqual({ name: 'Ann' })
      expect(stored?.output).toMatchObject({ email: 'Ann@example.com' })
    }))
})
