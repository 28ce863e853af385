import { afterAll } from 'vitest'
import { describeConnectorConformance } from '@tessera/core/testing'
import { startGenericApiServer, type GenericApiServer } from '../../test/generic-api-server'
import { createOpenApiConnector, type OpenApiConnector } from './create-openapi-connector'

// The connector is imported from its document before the suite is declared (top-level await):
// describeConnectorConformance needs the connector object when it defines its tests.

const key = 'openapi-conformance-key-0123'
const server: GenericApiServer = await startGenericApiServer((request) => {
  if (request.headers['x-api-key'] !== key) return { status: 401, body: { message: 'bad key' } }
  if (request.url === '/v1/tasks/slow') return 'hold'
  return { status: 201, body: { id: 't-1', title: 'Write docs' } }
})
afterAll(() => server.close())

const connector: OpenApiConnector = await createOpenApiConnector({
  id: 'tasks',
  document: {
    openapi: '3.1.0',
    info: { title: 'Tasks', version: '1', summary: 'A task list API' },
    servers: [{ url: `${server.url}/v1` }],
    security: [{ apiKey: [] }],
    paths: {
      '/tasks/{list}': {
        post: {
          operationId: 'createTask',
          summary: 'Create a task',
          parameters: [
            {
              name: 'list',
              in: 'path',
              required: true,
              schema: { type: 'string', example: 'inbox' },
            },
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['title'],
                  properties: {
                    title: { type: 'string', description: 'What to do', example: 'Write docs' },
                  },
                },
              },
            },
          },
          responses: {
            '201': {
              description: 'Created',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: { id: { type: 'string' }, title: { type: 'string' } },
                  },
                },
              },
            },
          },
        },
      },
    },
    components: {
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } },
    },
  },
})

const config = (baseUrl?: string) => () => ({
  ...(baseUrl ? { baseUrl } : {}),
  credentials: { apiKey: { $secret: 'TASKS_KEY' } },
})

describeConnectorConformance({
  connector,
  config: config(),
  secrets: { TASKS_KEY: key },
  action: {
    name: 'create-task',
    input: { path: { list: 'inbox' }, body: { title: 'Write docs' } },
  },
  unreachable: config('http://127.0.0.1:9/v1'),
  rejectedSecrets: { TASKS_KEY: 'openapi-conformance-wrong-4567' },
  slow: () => {
    const before = server.released
    return {
      name: 'create-task',
      input: { path: { list: 'slow' }, body: { title: 'Wait' } },
      inFlight: () => server.holding > 0,
      released: () => server.released > before,
    }
  },
  idempotency: {
    lastReceived: () => server.lastIdempotencyKey,
    failNext: () => {
      server.failures = 1
    },
  },
  notSecrets: { credentials: 'an object with one secret reference per security scheme' },
})
