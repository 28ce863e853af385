import { healthResponse, openapiResponse, readyResponse, registryResponse } from '../http-schemas'
import { defineRoute } from '../route'

export const health = defineRoute({
  id: 'health',
  method: 'GET',
  path: '/health',
  summary: 'Liveness: the handler answers',
  tag: 'system',
  responses: { 200: { description: 'Alive', schema: healthResponse } },
  permission: 'registry:read',
  publicable: true,
  resource: () => ({ type: 'system' }),
  async handle() {
    return { status: 200, body: { status: 'ok' }, headers: { 'cache-control': 'no-store' } }
  },
})

export const ready = defineRoute({
  id: 'ready',
  method: 'GET',
  path: '/ready',
  summary: 'Readiness: the store is reachable (`store.ready()`)',
  tag: 'system',
  responses: {
    200: { description: 'Ready', schema: readyResponse },
    503: { description: 'The store is not ready', schema: readyResponse },
  },
  permission: 'registry:read',
  publicable: true,
  resource: () => ({ type: 'system' }),
  async handle({ services }) {
    try {
      await services.engine.store.ready?.()
      return { status: 200, body: { status: 'ready' }, headers: { 'cache-control': 'no-store' } }
    } catch {
      return {
        status: 503,
        body: { status: 'unavailable' },
        headers: { 'cache-control': 'no-store' },
      }
    }
  },
})

export const openapi = defineRoute({
  id: 'openapi',
  method: 'GET',
  path: '/openapi.json',
  summary: 'This OpenAPI 3.1 document',
  tag: 'system',
  responses: { 200: { description: 'The document', schema: openapiResponse } },
  permission: 'registry:read',
  publicable: true,
  resource: () => ({ type: 'registry' }),
  async handle({ services }) {
    return { status: 200, body: services.openapi() }
  },
})

export const registry = defineRoute({
  id: 'registry.get',
  method: 'GET',
  path: '/registry',
  summary: 'Registered steps, workflows, agents and connectors with their JSON Schemas',
  tag: 'system',
  responses: { 200: { description: 'The registry', schema: registryResponse } },
  permission: 'registry:read',
  resource: () => ({ type: 'registry' }),
  async handle({ services }) {
    return { status: 200, body: services.engine.registry.describe() }
  },
})

export const systemRoutes = [health, ready, openapi, registry]
