import { NotFoundError } from '../../errors/not-found-error'
import { parseDuration } from '../../runtime/duration'
import {
  accepted,
  approvalParams,
  approveBody,
  cancelBody,
  listRunsQuery,
  rejectBody,
  runDetailResponse,
  runEventBody,
  runIdParams,
  runPageResponse,
  runResponse,
  sendEventBody,
  sendEventResponse,
  startRunBody,
} from '../http-schemas'
import { HttpProblem } from '../problem'
import { defineRoute, type RouteContext } from '../route'
import { parseRunStreamCursor, runStreamResponse } from '../run-stream'
import { runView, stepView, waitingOf } from '../run-view'
import type { Principal, ResourceRef } from '../types'

/** No roles: masking for it hides every masked field (what the audit trail keeps of run data). */
const auditReader: Principal = { id: 'audit-trail', method: 'audit', roles: [] }

/** The run a route acts on, as a resource with its workflow (404 when there is none). */
async function runResource(context: RouteContext<{ runId: string }>): Promise<ResourceRef> {
  const run = await context.services.engine.store.getRun(context.params.runId)
  if (!run) throw new NotFoundError({ kind: 'run', id: context.params.runId })
  return { type: 'run', id: run.id, workflowId: run.workflowId }
}

const viewer = (context: RouteContext) => ({
  access: context.services.access,
  principal: context.principal as Principal,
})
const by = (principal: Principal | undefined) => principal?.name ?? principal?.id

export const startRun = defineRoute({
  id: 'runs.start',
  method: 'POST',
  path: '/runs',
  summary: 'Start a run of a registered workflow',
  tag: 'runs',
  body: startRunBody,
  responses: {
    201: { description: 'The run was created', schema: runResponse },
    200: {
      description: 'A run with this id or idempotency key existed: it is returned as it is',
      schema: runResponse,
    },
  },
  errors: [404, 422],
  permission: 'workflow:run',
  resource: ({ body }) => ({ type: 'workflow', id: body.workflowId, workflowId: body.workflowId }),
  audit: 'run.start',
  // Masked as for a reader who may see nothing masked: whoever started the run, the audit
  // trail (readable with audit:read alone) never holds a masked field's value.
  auditChange: ({ body, services }) => ({
    workflowId: body.workflowId,
    input: services.access.mask(auditReader, body.input, {
      workflowId: body.workflowId,
      part: 'input',
    }),
    ...(body.idempotencyKey !== undefined ? { idempotencyKey: body.idempotencyKey } : {}),
  }),
  async handle(context) {
    const { body, services } = context
    const header = context.header('idempotency-key')
    if (header !== undefined && (header === '' || header.length > 200)) {
      throw new HttpProblem(
        400,
        'invalid_argument',
        'The Idempotency-Key header must be 1 to 200 characters',
        [
          {
            path: 'headers.idempotency-key',
            message: 'must be 1 to 200 characters',
            expected: 'string of 1–200 characters',
          },
        ],
      )
    }
    if (
      header !== undefined &&
      body.idempotencyKey !== undefined &&
      header !== body.idempotencyKey
    ) {
      throw new HttpProblem(
        400,
        'invalid_argument',
        'The Idempotency-Key header and the body field "idempotencyKey" differ',
        [{ path: 'body.idempotencyKey', message: 'differs from the Idempotency-Key header' }],
      )
    }
    const idempotencyKey = body.idempotencyKey ?? header
    const handle = await services.engine.start(body.workflowId, body.input, {
      ...(body.runId !== undefined ? { runId: body.runId } : {}),
      ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
    })
    const run = await services.engine.store.getRun(handle.id)
    if (!run) throw new NotFoundError({ kind: 'run', id: handle.id })
    return {
      status: handle.created ? 201 : 200,
      body: { run: runView(run, viewer(context)) },
      headers: {
        location: `${services.options.basePath ?? ''}/runs/${encodeURIComponent(run.id)}`,
      },
      audit: { resource: { type: 'run', id: run.id, workflowId: run.workflowId } },
    }
  },
})

export const listRuns = defineRoute({
  id: 'runs.list',
  method: 'GET',
  path: '/runs',
  summary: 'List the runs the caller may read, newest first',
  tag: 'runs',
  query: listRunsQuery,
  responses: { 200: { description: 'One page of runs', schema: runPageResponse } },
  permission: 'run:read',
  // With a workflow filter the permission is checked once; without, run by run.
  resource: ({ query }) =>
    query.workflowId !== undefined ? { type: 'run', workflowId: query.workflowId } : undefined,
  async handle(context) {
    const { query, services } = context
    const principal = context.principal as Principal
    const page = await services.engine.listRuns(query)
    const runs = page.runs
      .filter((run) =>
        services.access.can(principal, 'run:read', {
          type: 'run',
          id: run.id,
          workflowId: run.workflowId,
        }),
      )
      .map((run) => runView(run, viewer(context)))
    return {
      status: 200,
      body: { runs, ...(page.nextCursor !== undefined ? { nextCursor: page.nextCursor } : {}) },
    }
  },
})

export const getRun = defineRoute({
  id: 'runs.get',
  method: 'GET',
  path: '/runs/{runId}',
  summary: 'A run with its step records and what it waits for',
  tag: 'runs',
  params: runIdParams,
  responses: { 200: { description: 'The run', schema: runDetailResponse } },
  errors: [404],
  permission: 'run:read',
  resource: runResource,
  async handle(context) {
    const history = await context.services.engine.store.getRunHistory(context.params.runId)
    if (!history) throw new NotFoundError({ kind: 'run', id: context.params.runId })
    const { run } = history
    return {
      status: 200,
      body: {
        run: runView(run, viewer(context)),
        steps: history.steps.map((step) => stepView(step, run.workflowId, viewer(context))),
        waiting: waitingOf(history),
      },
    }
  },
})

export const cancelRun = defineRoute({
  id: 'runs.cancel',
  method: 'POST',
  path: '/runs/{runId}/cancel',
  summary: 'Cancel a run',
  tag: 'runs',
  params: runIdParams,
  body: cancelBody,
  responses: { 202: { description: 'The run is cancelled', schema: accepted } },
  errors: [404, 409],
  permission: 'run:cancel',
  resource: runResource,
  audit: 'run.cancel',
  async handle({ params, body, services }) {
    await services.engine.cancel(params.runId, body?.reason)
    return { status: 202, body: { runId: params.runId, status: 'cancelled' } }
  },
})

export const retryRun = defineRoute({
  id: 'runs.retry',
  method: 'POST',
  path: '/runs/{runId}/retry',
  summary: 'Retry a failed run from the steps that failed',
  tag: 'runs',
  params: runIdParams,
  responses: { 202: { description: 'The run runs again', schema: accepted } },
  errors: [404, 409],
  permission: 'run:retry',
  resource: runResource,
  audit: 'run.retry',
  async handle({ params, services }) {
    await services.engine.retry(params.runId)
    return { status: 202, body: { runId: params.runId, status: 'running' } }
  },
})

export const approveRun = defineRoute({
  id: 'runs.approve',
  method: 'POST',
  path: '/runs/{runId}/approvals/{approvalId}/approve',
  summary: "Approve a run's pending approval",
  tag: 'runs',
  params: approvalParams,
  body: approveBody,
  responses: {
    202: { description: 'The approval is recorded; the run goes on', schema: accepted },
  },
  errors: [404, 409, 422],
  permission: 'run:approve',
  resource: runResource,
  audit: 'run.approve',
  // The approval's data is run data: the record says that some came, not what.
  auditChange: ({ params, body, principal }) => ({
    approvalId: params.approvalId,
    ...(body?.key !== undefined ? { key: body.key } : {}),
    by: by(principal),
    withData: body?.data !== undefined,
  }),
  async handle({ params, body, principal, services }) {
    const decider = by(principal)
    await services.engine.approve(params.runId, params.approvalId, body?.data, {
      ...(decider !== undefined ? { by: decider } : {}),
      ...(body?.key !== undefined ? { key: body.key } : {}),
    })
    return { status: 202, body: { runId: params.runId } }
  },
})

export const rejectRun = defineRoute({
  id: 'runs.reject',
  method: 'POST',
  path: '/runs/{runId}/approvals/{approvalId}/reject',
  summary: "Reject a run's pending approval",
  tag: 'runs',
  params: approvalParams,
  body: rejectBody,
  responses: { 202: { description: 'The rejection is recorded', schema: accepted } },
  errors: [404, 409],
  permission: 'run:approve',
  resource: runResource,
  audit: 'run.reject',
  auditChange: ({ params, body, principal }) => ({
    approvalId: params.approvalId,
    ...body,
    by: by(principal),
  }),
  async handle({ params, body, principal, services }) {
    const decider = by(principal)
    await services.engine.reject(params.runId, params.approvalId, body?.reason, {
      ...(decider !== undefined ? { by: decider } : {}),
      ...(body?.key !== undefined ? { key: body.key } : {}),
    })
    return { status: 202, body: { runId: params.runId } }
  },
})

export const resumeRun = defineRoute({
  id: 'runs.resume',
  method: 'POST',
  path: '/runs/{runId}/events',
  summary: 'Send an event to this run only (resumes its `.waitForEvent`)',
  tag: 'runs',
  params: runIdParams,
  body: runEventBody,
  responses: {
    202: { description: 'The event was delivered or kept in the inbox', schema: sendEventResponse },
  },
  errors: [404],
  permission: 'event:send',
  resource: runResource,
  audit: 'run.resume',
  auditChange: ({ body }) => ({ name: body.name }),
  async handle({ params, body, services }) {
    const result = await services.engine.sendEvent(body.name, body.payload, { runId: params.runId })
    return { status: 202, body: result }
  },
})

export const streamRun = defineRoute({
  id: 'runs.stream',
  method: 'GET',
  path: '/runs/{runId}/stream',
  summary: "A run's events as Server-Sent Events; `Last-Event-ID` resumes after an event",
  tag: 'runs',
  params: runIdParams,
  responses: {
    200: { description: 'An event stream (see docs/http.md)', contentType: 'text/event-stream' },
  },
  errors: [404],
  permission: 'run:read',
  resource: runResource,
  async handle(context) {
    const { params, principal, services } = context
    const lastEventId = parseRunStreamCursor(context.header('last-event-id'))
    if (!lastEventId) {
      throw new HttpProblem(
        400,
        'invalid_argument',
        'Last-Event-ID must be the id of an event this stream sent, such as 3 or 3:1764126005000:1',
        [
          {
            path: 'headers.last-event-id',
            message: 'must be an event id of this stream',
            expected: 'an integer, or <integer>:<integer>:<integer>',
          },
        ],
      )
    }
    const stream = services.options.stream ?? {}
    if (context.method === 'HEAD') {
      // HEAD is answered by the GET route: no stream to open (and none to leak).
      return new Response(null, {
        status: 200,
        headers: { 'content-type': 'text/event-stream; charset=utf-8' },
      })
    }
    return runStreamResponse({
      engine: services.engine,
      runId: params.runId,
      lastEventId,
      access: services.access,
      principal: principal as Principal,
      heartbeatMs: parseDuration(stream.heartbeat ?? '15s', 'createHttpHandler.stream.heartbeat'),
      pollMs: parseDuration(stream.poll ?? '1s', 'createHttpHandler.stream.poll'),
      signal: context.signal,
    })
  },
})

export const sendEvent = defineRoute({
  id: 'events.send',
  method: 'POST',
  path: '/events',
  summary: 'Send an event to the runs waiting for it (or to one run with `runId`)',
  tag: 'events',
  body: sendEventBody,
  responses: {
    202: { description: 'The event was delivered or kept in the inbox', schema: sendEventResponse },
  },
  errors: [404],
  permission: 'event:send',
  async resource({ body, services }) {
    if (body.runId === undefined) return { type: 'event', id: body.name }
    const run = await services.engine.store.getRun(body.runId)
    if (!run) throw new NotFoundError({ kind: 'run', id: body.runId })
    return { type: 'event', id: body.name, workflowId: run.workflowId }
  },
  audit: 'event.send',
  auditChange: ({ body }) => ({
    name: body.name,
    ...(body.runId !== undefined ? { runId: body.runId } : {}),
  }),
  async handle({ body, services }) {
    if (body.ttl !== undefined) parseDuration(body.ttl, 'body.ttl')
    const result = await services.engine.sendEvent(body.name, body.payload, {
      ...(body.runId !== undefined ? { runId: body.runId } : {}),
      ...(body.ttl !== undefined ? { ttl: body.ttl as never } : {}),
      ...(body.id !== undefined ? { id: body.id } : {}),
    })
    return { status: 202, body: result }
  },
})

export const runRoutes = [
  startRun,
  listRuns,
  getRun,
  cancelRun,
  retryRun,
  approveRun,
  rejectRun,
  resumeRun,
  streamRun,
  sendEvent,
]
