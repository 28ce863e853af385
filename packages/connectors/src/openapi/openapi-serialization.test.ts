import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { noopLogger } from '@tessera/core'
import {
  startGenericApiServer,
  type GenericApiServer,
  type ReceivedRequest,
} from '../../test/generic-api-server'
import { createOpenApiConnector, type OpenApiConnector } from './create-openapi-connector'
import { openApiSchemaToJsonSchema } from './openapi-json-schema'

// How generated actions put values on the wire: form bodies, non-exploded arrays, headers and
// cookies from parameters, a cookie API key, basic credentials, and a path that needs encoding.

let server: GenericApiServer
let last: ReceivedRequest
let connector: OpenApiConnector

beforeAll(async () => {
  server = await startGenericApiServer((request) => {
    last = request
    return { status: 200, body: { ok: true } }
  })
  connector = await createOpenApiConnector({
    id: 'wire',
    document: {
      openapi: '3.0.3',
      info: { title: 'Wire', version: '1' },
      servers: [{ url: `${server.url}/api` }],
      paths: {
        '/files/{name}': {
          put: {
            operationId: 'putForm',
            security: [{ session: [] }],
            parameters: [
              { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
              {
                name: 'ids',
                in: 'query',
                explode: false,
                schema: { type: 'array', items: { type: 'integer' } },
              },
              { name: 'X-Trace', in: 'header', schema: { type: 'string' } },
              { name: 'Authorization', in: 'header', schema: { type: 'string' } },
              { name: 'theme', in: 'cookie', schema: { type: 'string' } },
              {
                name: 'filter',
                in: 'query',
                content: { 'application/json': { schema: { type: 'object' } } },
              },
            ],
            requestBody: {
              content: {
                'application/x-www-form-urlencoded': {
                  schema: {
                    type: 'object',
                    properties: {
                      title: { type: 'string' },
                      tags: { type: 'array', items: { type: 'string' } },
                    },
                  },
                },
              },
            },
            responses: {
              '200': {
                description: 'ok',
                content: { 'application/json': { schema: { type: 'object' } } },
              },
            },
          },
        },
        '/admin': {
          get: {
            operationId: 'admin',
            security: [{ basic: [] }, { session: [] }],
            responses: { '204': { description: 'nothing' }, '200': { description: 'ok' } },
          },
        },
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'sid' },
          basic: { type: 'http', scheme: 'basic' },
        },
      },
    },
  })
})
afterAll(() => server.close())

const run = (action: string, input: Record<string, unknown>, config: Record<string, unknown>) =>
  connector.actions[action]!.run({
    config: config as never,
    input: connector.actions[action]!.input.parse(input) as Record<string, unknown>,
    signal: new AbortController().signal,
    idempotencyKey: 'k',
    logger: noopLogger,
  })

describe('OpenAPI request serialisation', () => {
  it('encodes path values, non-exploded arrays, JSON query content, headers, cookies and a form body', async () => {
    await run(
      'put-form',
      {
        path: { name: 'a b/c' },
        query: { ids: [1, 2, 3], filter: { kind: 'pdf' } },
        headers: { 'X-Trace': 't-1' },
        cookies: { theme: 'dark mode' },
        body: { title: 'Q3 report', tags: ['x', 'y'] },
      },
      { credentials: { session: 'sess-1' } },
    )
    expect(last.method).toBe('PUT')
    expect(last.url).toBe('/api/files/a%20b%2Fc?ids=1%2C2%2C3&filter=%7B%22kind%22%3A%22pdf%22%7D')
    expect(last.headers).toMatchObject({
      'x-trace': 't-1',
      cookie: 'theme=dark%20mode; sid=sess-1',
      'content-type': 'application/x-www-form-urlencoded',
    })
    expect(last.body).toBe('title=Q3+report&tags=x&tags=y')
  })

  it('ignores header parameters named Authorization, Accept or Content-Type, as OpenAPI says', () => {
    const headers = connector.actions['put-form']!.input.safeParse({
      path: { name: 'x' },
      headers: { Authorization: 'Bearer smuggled' },
    })
    expect(headers.success).toBe(false)
  })

  it('takes the first security requirement it has credentials for', async () => {
    await run('admin', {}, { credentials: { session: 'sess-2' } })
    expect(last.headers.cookie).toBe('sid=sess-2')
    expect(last.headers.authorization).toBeUndefined()
    await run(
      'admin',
      {},
      { credentials: { basic: { username: 'ann', password: 'pw' }, session: 's' } },
    )
    expect(last.headers.authorization).toBe(`Basic ${Buffer.from('ann:pw').toString('base64')}`)
    expect(last.headers.cookie).toBeUndefined()
  })

  it('imports a recursive schema (a tree) and checks answers against it', async () => {
    const trees = await createOpenApiConnector({
      id: 'trees',
      document: {
        openapi: '3.1.0',
        info: { title: 'Trees', version: '1' },
        servers: [{ url: `${server.url}/api` }],
        paths: {
          '/tree': {
            post: {
              operationId: 'echoTree',
              requestBody: {
                required: true,
                content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } },
              },
              responses: {
                '200': {
                  description: 'ok',
                  content: { 'application/json': { schema: { type: 'object' } } },
                },
              },
            },
          },
        },
        components: {
          schemas: {
            Node: {
              type: 'object',
              required: ['name'],
              properties: {
                name: { type: 'string' },
                children: { type: 'array', items: { $ref: '#/components/schemas/Node' } },
              },
            },
          },
        },
      },
    })
    const input = trees.actions['echo-tree']!.input
    const tree = { body: { name: 'root', children: [{ name: 'a', children: [{ name: 'b' }] }] } }
    expect(input.safeParse(tree).success).toBe(true)
    expect(input.safeParse({ body: { name: 'root', children: [{ nope: 1 }] } }).success).toBe(false)
    expect(
      input.safeParse({ body: { name: 'r', children: [{ name: 'a', children: [{ nope: 1 }] }] } })
        .success,
    ).toBe(false)
    expect(trees.actions['echo-tree']!.examples).toEqual([
      { title: 'echo-tree', input: { body: { name: 'string' } } },
    ])
    const output = await trees.actions['echo-tree']!.run({
      config: {},
      input: input.parse(tree) as Record<string, unknown>,
      signal: new AbortController().signal,
      idempotencyKey: 'k',
      logger: noopLogger,
    })
    expect(output.status).toBe(200)
    expect(JSON.parse(last.body)).toEqual(tree.body)
  })

  it('converts OpenAPI 3.0 schemas: nullable, exclusive bounds, readOnly/writeOnly by direction, cycles', () => {
    const node: Record<string, unknown> = { type: 'object', properties: {} }
    ;(node.properties as Record<string, unknown>).child = node
    expect(
      openApiSchemaToJsonSchema(
        {
          type: 'object',
          required: ['id', 'secret', 'size'],
          properties: {
            id: { type: 'integer', readOnly: true },
            secret: { type: 'string', writeOnly: true },
            size: {
              type: 'number',
              minimum: 0,
              exclusiveMinimum: true,
              nullable: true,
              example: 3,
            },
            kind: { enum: ['a', 'b'], nullable: true },
            mode: { type: 'string', enum: ['on', 'off'], nullable: true },
            tree: node,
          },
        },
        { version: '3.0', direction: 'request' },
      ),
    ).toEqual({
      type: 'object',
      required: ['secret', 'size'],
      properties: {
        secret: { type: 'string', writeOnly: true },
        size: { type: ['number', 'null'], exclusiveMinimum: 0, examples: [3] },
        kind: { enum: ['a', 'b', null] },
        mode: { type: ['string', 'null'], enum: ['on', 'off', null] },
        tree: { $ref: '#/$defs/recursive-1' },
      },
      $defs: {
        'recursive-1': { type: 'object', properties: { child: { $ref: '#/$defs/recursive-1' } } },
      },
    })
  })
})
