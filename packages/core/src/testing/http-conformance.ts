import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpHandler } from '../http/create-http-handler'
import { createEngine, type Engine } from '../runtime/engine'
import {
  createHttpConformanceSetup,
  httpConformanceBodyBytes,
  httpConformanceOrigin,
  httpConformanceWorkflows,
  type HttpConformanceTokens,
} from './http-conformance-fixture'
import { readServerSentEvents, type ServerSentEvent } from './read-server-sent-events'

/** A Web Fetch handler, as `createHttpHandler` returns it (`info.ip`: the client's address). */
export type HttpConformanceHandler = (request: Request, info?: { ip?: string }) => Promise<Response>

/** A server the HTTP conformance suite talks to. */
export interface HttpConformanceServer {
  /** Its origin and base path, without a trailing slash: `http://127.0.0.1:4123/api`. */
  url: string
  close(): Promise<void>
  /**
   * The tokens of a server that built its own handler with `createHttpConformanceSetup` (the
   * sidecar). Absent: the server serves the handler it was given, with the suite's tokens.
   */
  tokens?: HttpConformanceTokens
}

/** How to run the HTTP conformance suite against one way of serving the handler. */
export interface HttpConformanceOptions {
  name: string
  /**
   * Serves `handler` (the suite's engine with the conformance workflows) over real HTTP: an
   * adapter mounts it in its framework and listens. A server that builds its handler itself
   * from `httpConformanceWorkflows` and `createHttpConformanceSetup` (the sidecar) ignores it
   * and returns its tokens.
   */
  serve(handler: HttpConformanceHandler): Promise<HttpConformanceServer>
  /**
   * The handler's `basePath`: where the server mounts it (`/api/tessera`). The `url` that
   * `serve` returns ends with it. Default `''`.
   */
  basePath?: string
  /** How long to wait for a run to reach a state. Default 10000 ms. */
  timeoutMs?: number
}

interface RunView {
  id: string
  workflowId: string
  status: string
  output?: unknown
}

interface RunDetail {
  run: RunView
  steps: { nodeId: string; status: string }[]
  waiting: { kind: string; name?: string }[]
}

/**
 * The HTTP conformance suite: the Tessera HTTP API over real HTTP with `fetch`, the same for
 * every way of serving it (an Express or Fastify adapter, the `tessera serve` sidecar). It
 * starts, reads, lists and cancels runs, decides approvals, sends events, streams a run's
 * Server-Sent Events (each event arrives while the run still waits; `Last-Event-ID` resumes),
 * edits definitions, and checks the problem details of 400/401/403/404/409/413, the request id,
 * security and CORS headers, and the audit record of a start (with the client's address the
 * server passed on).
 *
 * @example
 * ```ts
 * describeHttpConformance({
 *   name: 'express 5',
 *   basePath: '/api',
 *   serve: async (handler) => {
 *     const app = express().use(createExpressMiddleware(handler, { basePath: '/api' }))
 *     const server = app.listen(0)
 *     await once(server, 'listening')
 *     return { url: `http://127.0.0.1:${server.address().port}/api`, close: () => closeServer(server) }
 *   },
 * })
 * ```
 */
export function describeHttpConformance(options: HttpConformanceOptions): void {
  const timeoutMs = options.timeoutMs ?? 10_000

  describe(`HTTP conformance: ${options.name}`, () => {
    let engine: Engine
    let server: HttpConformanceServer
    let tokens: HttpConformanceTokens
    let url: string

    beforeAll(async () => {
      engine = createEngine({ workflows: httpConformanceWorkflows })
      const setup = await createHttpConformanceSetup(engine)
      const handler = createHttpHandler(engine, {
        ...setup.options,
        ...(options.basePath !== undefined ? { basePath: options.basePath } : {}),
      })
      server = await options.serve(handler)
      tokens = server.tokens ?? setup.tokens
      url = server.url.replace(/\/+$/, '')
    }, 60_000)

    afterAll(async () => {
      await server?.close()
      await engine?.close()
    })

    const call = (
      path: string,
      init: RequestInit & { token?: string | null; json?: unknown } = {},
    ): Promise<Response> => {
      const { token, json, ...rest } = init
      const headers = new Headers(rest.headers)
      const bearer = token === undefined ? tokens.admin : token
      if (bearer !== null) headers.set('authorization', `Bearer ${bearer}`)
      if (json !== undefined) headers.set('content-type', 'application/json')
      return fetch(`${url}${path}`, {
        ...rest,
        headers,
        ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
      })
    }
    const json = async <T>(response: Response, status: number): Promise<T> => {
      const text = await response.text()
      expect(response.status, `${response.status} ${text}`).toBe(status)
      return JSON.parse(text) as T
    }
    const start = async (workflowId: string, input: unknown, extra: object = {}) =>
      (
        await json<{ run: RunView }>(
          await call('/runs', { method: 'POST', json: { workflowId, input, ...extra } }),
          201,
        )
      ).run
    const detail = async (runId: string) =>
      json<RunDetail>(await call(`/runs/${encodeURIComponent(runId)}`), 200)
    const waitUntil = async (runId: string, accept: (view: RunDetail) => boolean) => {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const view = await detail(runId)
        if (accept(view)) return view
        if (Date.now() > deadline) {
          throw new Error(`run ${runId} did not reach the expected state: ${JSON.stringify(view)}`)
        }
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
    const waitingFor = (kind: string) => (view: RunDetail) =>
      view.waiting.some((wait) => wait.kind === kind)
    const ended = (view: RunDetail) =>
      ['succeeded', 'failed', 'cancelled'].includes(view.run.status)
    const expectProblem = async (response: Response, status: number, code?: string) => {
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      const problem = await json<Record<string, unknown>>(response, status)
      expect(problem).toMatchObject({ status, title: expect.any(String) })
      if (code !== undefined) expect(problem.code).toBe(code)
      expect(JSON.stringify(problem)).not.toMatch(/\n\s+at /)
      return problem
    }

    describe('system', () => {
      it('answers /health without credentials', async () => {
        const response = await call('/health', { token: null })
        expect(response.status).toBe(200)
        await response.body?.cancel()
      })

      it('answers /ready once the store is ready', async () => {
        const response = await call('/ready', { token: null })
        expect(response.status).toBe(200)
        await response.body?.cancel()
      })

      it('echoes x-request-id, or sends one it made', async () => {
        const echoed = await call('/health', { headers: { 'x-request-id': 'conformance-42' } })
        expect(echoed.headers.get('x-request-id')).toBe('conformance-42')
        const made = await call('/health')
        expect(made.headers.get('x-request-id')).toMatch(/\S{8,}/)
        await Promise.all([echoed.body?.cancel(), made.body?.cancel()])
      })

      it('sends security headers', async () => {
        const response = await call('/runs?limit=1')
        expect(response.headers.get('x-content-type-options')).toBe('nosniff')
        expect(response.headers.get('x-frame-options')).not.toBeNull()
        expect(response.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/)
        // Run data must not be kept by a browser or a shared cache.
        expect(response.headers.get('cache-control')).toBe('no-store')
        await response.body?.cancel()
      })

      it('answers a CORS preflight from the configured origin, and not from another', async () => {
        const preflight = (origin: string) =>
          call('/runs', {
            method: 'OPTIONS',
            token: null,
            headers: {
              origin,
              'access-control-request-method': 'POST',
              'access-control-request-headers': 'authorization, content-type',
            },
          })
        const allowed = await preflight(httpConformanceOrigin)
        expect(allowed.status).toBeLessThan(300)
        expect(allowed.headers.get('access-control-allow-origin')).toBe(httpConformanceOrigin)
        expect(allowed.headers.get('access-control-allow-methods')).toMatch(/POST/)
        expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toMatch(
          /authorization/,
        )
        const other = await preflight('https://evil.example')
        expect(other.headers.get('access-control-allow-origin')).toBeNull()
        await Promise.all([allowed.body?.cancel(), other.body?.cancel()])
      })
    })

    describe('problem details', () => {
      it('401 without credentials, with a WWW-Authenticate challenge', async () => {
        const response = await call('/runs', { token: null })
        expect(response.headers.get('www-authenticate')).toMatch(/Bearer/i)
        await expectProblem(response, 401, 'unauthenticated')
      })

      it('401 for a key that does not exist', async () => {
        const response = await call('/runs', { token: `tsk_0123456789abcdef_${'A'.repeat(43)}` })
        await expectProblem(response, 401, 'unauthenticated')
      })

      it('403 when the role lacks the permission', async () => {
        const response = await call('/runs', {
          method: 'POST',
          token: tokens.viewer,
          json: { workflowId: 'conformance-approval', input: { amount: 1 } },
        })
        await expectProblem(response, 403, 'forbidden')
      })

      it('400 naming the invalid field of a body', async () => {
        const response = await call('/runs', { method: 'POST', json: { workflowId: 42 } })
        const problem = await expectProblem(response, 400)
        expect(problem.errors).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ path: expect.stringMatching(/workflowId/) }),
          ]),
        )
      })

      it('400 for a body that is not JSON', async () => {
        const response = await call('/runs', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"workflowId":',
        })
        await expectProblem(response, 400)
      })

      it('400 naming an invalid query parameter', async () => {
        const problem = await expectProblem(await call('/runs?limit=-3'), 400)
        expect(JSON.stringify(problem.errors)).toMatch(/limit/)
      })

      it('404 for a run that does not exist, and for an unknown route', async () => {
        await expectProblem(await call('/runs/conformance-missing'), 404, 'not_found')
        await expectProblem(await call('/no-such-route'), 404)
      })

      it('413 for a body over the limit', async () => {
        const response = await call('/runs', {
          method: 'POST',
          json: {
            workflowId: 'conformance-approval',
            input: { amount: 1, padding: 'x'.repeat(httpConformanceBodyBytes * 2) },
          },
        })
        await expectProblem(response, 413)
      })
    })

    describe('runs', () => {
      it('starts a run (201, Location) and returns it again for the same idempotency key (200)', async () => {
        const key = `conformance-${Math.random().toString(36).slice(2)}`
        const first = await call('/runs', {
          method: 'POST',
          headers: { 'idempotency-key': key },
          json: { workflowId: 'conformance-approval', input: { amount: 2 } },
        })
        const created = await json<{ run: RunView }>(first, 201)
        expect(created.run).toMatchObject({ workflowId: 'conformance-approval' })
        expect(first.headers.get('location')).toMatch(new RegExp(`/runs/${created.run.id}$`))
        const again = await call('/runs', {
          method: 'POST',
          json: { workflowId: 'conformance-approval', input: { amount: 2 }, idempotencyKey: key },
        })
        expect((await json<{ run: RunView }>(again, 200)).run.id).toBe(created.run.id)
      })

      it('422 or 400 for an input the workflow refuses, 404 for an unknown workflow', async () => {
        const bad = await call('/runs', {
          method: 'POST',
          json: { workflowId: 'conformance-approval', input: { amount: 'two' } },
        })
        expect([400, 422]).toContain(bad.status)
        await expectProblem(bad, bad.status)
        const unknown = await call('/runs', {
          method: 'POST',
          json: { workflowId: 'conformance-nope', input: {} },
        })
        await expectProblem(unknown, 404, 'not_found')
      })

      it('approves a waiting run, which then succeeds; a second decision is a 409', async () => {
        const run = await start('conformance-approval', { amount: 3 })
        const waiting = await waitUntil(run.id, waitingFor('approval'))
        expect(waiting.run.status).toBe('suspended')
        expect(waiting.steps.map((step) => step.nodeId)).toContain('conformance-double')
        const approved = await call(`/runs/${run.id}/approvals/manager/approve`, {
          method: 'POST',
          json: { data: { note: 'fine' } },
        })
        expect(approved.status).toBe(202)
        await approved.body?.cancel()
        const done = await waitUntil(run.id, ended)
        expect(done.run).toMatchObject({
          status: 'succeeded',
          output: { outcome: 'approved', note: 'fine' },
        })
        const again = await call(`/runs/${run.id}/approvals/manager/approve`, {
          method: 'POST',
          json: { data: { note: 'again' } },
        })
        await expectProblem(again, 409, 'conflict')
      })

      it('rejects a waiting run with a reason', async () => {
        const run = await start('conformance-approval', { amount: 4 })
        await waitUntil(run.id, waitingFor('approval'))
        const rejected = await call(`/runs/${run.id}/approvals/manager/reject`, {
          method: 'POST',
          json: { reason: 'too much' },
        })
        expect(rejected.status).toBe(202)
        await rejected.body?.cancel()
        const done = await waitUntil(run.id, ended)
        expect(done.run.output).toEqual({ outcome: 'rejected', reason: 'too much' })
      })

      it('resumes a run waiting for an event', async () => {
        const run = await start('conformance-event', { amount: 5 })
        await waitUntil(run.id, waitingFor('event'))
        const sent = await call(`/runs/${run.id}/events`, {
          method: 'POST',
          json: { name: 'conformance-go', payload: { add: 7 } },
        })
        const result = await json<{ eventId: string; runIds: string[] }>(sent, 202)
        expect(result.runIds).toEqual([run.id])
        const done = await waitUntil(run.id, ended)
        expect(done.run).toMatchObject({ status: 'succeeded', output: { added: 7 } })
      })

      it('sends an event by name to the runs waiting for it (POST /events)', async () => {
        const run = await start('conformance-event', { amount: 6 })
        await waitUntil(run.id, waitingFor('event'))
        const sent = await call('/events', {
          method: 'POST',
          json: { name: 'conformance-go', payload: { add: 1 }, runId: run.id },
        })
        expect((await json<{ runIds: string[] }>(sent, 202)).runIds).toEqual([run.id])
        expect((await waitUntil(run.id, ended)).run.status).toBe('succeeded')
      })

      it('cancels a waiting run (202); cancelling it again is a 409', async () => {
        const run = await start('conformance-approval', { amount: 7 })
        await waitUntil(run.id, waitingFor('approval'))
        const cancelled = await call(`/runs/${run.id}/cancel`, {
          method: 'POST',
          json: { reason: 'conformance' },
        })
        expect(cancelled.status).toBe(202)
        await cancelled.body?.cancel()
        expect((await detail(run.id)).run.status).toBe('cancelled')
        await expectProblem(
          await call(`/runs/${run.id}/cancel`, { method: 'POST', json: {} }),
          409,
          'conflict',
        )
      })

      it('lists runs by workflow, page by page', async () => {
        const ids = new Set<string>()
        for (let index = 0; index < 3; index++) {
          ids.add((await start('conformance-event', { amount: 100 + index })).id)
        }
        const seen = new Set<string>()
        let cursor: string | undefined
        let pages = 0
        do {
          const query = new URLSearchParams({ workflowId: 'conformance-event', limit: '2' })
          if (cursor !== undefined) query.set('cursor', cursor)
          const page = await json<{ runs: RunView[]; nextCursor?: string }>(
            await call(`/runs?${query}`),
            200,
          )
          expect(page.runs.length).toBeLessThanOrEqual(2)
          for (const run of page.runs) {
            expect(run.workflowId).toBe('conformance-event')
            expect(seen.has(run.id)).toBe(false)
            seen.add(run.id)
          }
          cursor = page.nextCursor
          pages++
        } while (cursor !== undefined && pages < 50)
        expect(pages).toBeGreaterThan(1)
        for (const id of ids) expect(seen.has(id)).toBe(true)
      })

      it("records who started a run, from the client's address, in the audit trail", async () => {
        const run = await start('conformance-approval', { amount: 11 })
        const query = new URLSearchParams({ action: 'run.start', resourceId: run.id })
        const page = await json<{ records: Record<string, unknown>[] }>(
          await call(`/audit?${query}`, { headers: { 'x-request-id': 'conformance-audit' } }),
          200,
        )
        expect(page.records).toEqual([
          expect.objectContaining({
            action: 'run.start',
            actor: expect.objectContaining({ id: 'conformance-admin' }),
            resource: expect.objectContaining({ type: 'run', id: run.id }),
            outcome: expect.objectContaining({ ok: true, status: 201 }),
            // The server passed the socket's address on to the handler.
            ip: expect.stringMatching(/^(::ffff:)?127\.0\.0\.1$/),
          }),
        ])
        const verified = await json<{ ok: boolean }>(await call('/audit/verify'), 200)
        expect(verified.ok).toBe(true)
      })

      it('lets a viewer read runs', async () => {
        const run = await start('conformance-approval', { amount: 8 })
        const view = await json<RunDetail>(
          await call(`/runs/${run.id}`, { token: tokens.viewer }),
          200,
        )
        expect(view.run.id).toBe(run.id)
      })
    })

    describe('event stream', () => {
      const open = (runId: string, lastEventId?: string) =>
        call(`/runs/${runId}/stream`, {
          headers: {
            accept: 'text/event-stream',
            ...(lastEventId !== undefined ? { 'last-event-id': lastEventId } : {}),
          },
        })
      const next = async (events: AsyncGenerator<ServerSentEvent>, name: string) => {
        for (;;) {
          const { value, done } = await events.next()
          if (done) throw new Error(`the stream ended before a "${name}" event`)
          if (value.event === name) return value
        }
      }

      it('streams each event as it happens: the first arrives while the run still waits', async () => {
        const run = await start('conformance-event', { amount: 9 })
        const response = await open(run.id)
        expect(response.status).toBe(200)
        expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
        const events = readServerSentEvents(response.body!)
        const first = await next(events, 'run-start')
        expect(JSON.parse(first.data)).toMatchObject({ runId: run.id })
        expect(first.id).toBe('1')
        // A buffering server sends nothing before the run ends: the run cannot end until this
        // event, which is sent only after the first stream event was read.
        await waitUntil(run.id, waitingFor('event'))
        const sent = await call(`/runs/${run.id}/events`, {
          method: 'POST',
          json: { name: 'conformance-go', payload: { add: 2 } },
        })
        expect(sent.status).toBe(202)
        await sent.body?.cancel()
        const end = await next(events, 'run-end')
        expect(JSON.parse(end.data)).toMatchObject({ status: 'succeeded', output: { added: 2 } })
        // The server closes the stream after run-end (a last status event may come first).
        const rest: ServerSentEvent[] = []
        for await (const event of events) rest.push(event)
        expect(rest.filter((event) => event.id !== undefined)).toEqual([])
      })

      it('resumes after Last-Event-ID', async () => {
        const run = await start('conformance-event', { amount: 10 })
        await waitUntil(run.id, waitingFor('event'))
        const sent = await call(`/runs/${run.id}/events`, {
          method: 'POST',
          json: { name: 'conformance-go', payload: { add: 3 } },
        })
        await sent.body?.cancel()
        await waitUntil(run.id, ended)
        const all: ServerSentEvent[] = []
        for await (const event of readServerSentEvents((await open(run.id)).body!)) {
          if (event.id !== undefined) all.push(event)
        }
        expect(all.map((event) => event.event)).toEqual(
          expect.arrayContaining(['run-start', 'step-end', 'run-end']),
        )
        const resumed: ServerSentEvent[] = []
        for await (const event of readServerSentEvents((await open(run.id, all[0]!.id)).body!)) {
          if (event.id !== undefined) resumed.push(event)
        }
        expect(resumed.map((event) => event.id)).toEqual(all.slice(1).map((event) => event.id))
      })

      it('404 for the stream of a run that does not exist', async () => {
        await expectProblem(await open('conformance-missing'), 404, 'not_found')
      })
    })

    describe('definitions', () => {
      const definitionOf = (id: string, description: string) => ({
        ...(httpConformanceWorkflows[0]!.definition as unknown as Record<string, unknown>),
        id,
        description,
      })

      it('creates, reads, updates with version checks, publishes and deletes a definition', async () => {
        const id = `conformance-draft-${Math.random().toString(36).slice(2, 8)}`
        const created = await call('/definitions', {
          method: 'POST',
          json: { definition: definitionOf(id, 'first') },
        })
        const head = await json<{ definition: { latestVersion: number } }>(created, 201)
        expect(head.definition.latestVersion).toBe(1)
        expect(created.headers.get('location')).toMatch(new RegExp(`/definitions/${id}$`))

        const read = await json<{
          definition: unknown
          latest: { definition: { description: string } }
        }>(await call(`/definitions/${id}`), 200)
        expect(read.latest.definition.description).toBe('first')

        const updated = await call(`/definitions/${id}`, {
          method: 'PUT',
          json: { definition: definitionOf(id, 'second'), expectVersion: 1 },
        })
        const second = await json<{ definition: { latestVersion: number } }>(updated, 200)
        expect(second.definition.latestVersion).toBe(2)
        const stale = await call(`/definitions/${id}`, {
          method: 'PUT',
          json: { definition: definitionOf(id, 'third'), expectVersion: 1 },
        })
        await expectProblem(stale, 409, 'conflict')

        const versions = await json<{ versions: { version: number }[] }>(
          await call(`/definitions/${id}/versions`),
          200,
        )
        expect(versions.versions.map((entry) => entry.version).sort()).toEqual([1, 2])
        const first = await json<{ definition: { description: string } }>(
          await call(`/definitions/${id}/versions/1`),
          200,
        )
        expect(first.definition.description).toBe('first')

        const published = await call(`/definitions/${id}/publish`, {
          method: 'POST',
          json: { version: 2 },
        })
        expect(published.status).toBe(200)
        await published.body?.cancel()
        const run = await start(id, { amount: 1 })
        expect(run.workflowId).toBe(id)

        const listed = await json<{ definitions: { workflowId: string }[] }>(
          await call('/definitions'),
          200,
        )
        expect(listed.definitions.map((entry) => entry.workflowId)).toContain(id)

        const deleted = await call(`/definitions/${id}`, { method: 'DELETE' })
        expect(deleted.status).toBe(200)
        await deleted.body?.cancel()
        await expectProblem(await call(`/definitions/${id}`), 404, 'not_found')
      })

      it('validates a definition without storing it', async () => {
        const result = await json<{ valid: boolean; issues: unknown[] }>(
          await call('/definitions/validate', {
            method: 'POST',
            json: { definition: definitionOf('conformance-validate', 'v') },
          }),
          200,
        )
        expect(result).toEqual({ valid: true, issues: [] })
      })

      it('403 when a viewer edits a definition', async () => {
        const response = await call('/definitions', {
          method: 'POST',
          token: tokens.viewer,
          json: { definition: definitionOf('conformance-denied', 'x') },
        })
        await expectProblem(response, 403, 'forbidden')
      })
    })
  })
}
