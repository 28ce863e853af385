import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ConnectorError, createEngine, createWorkflow, mapSecrets, noopLogger } from '@tessera/core'
import {
  createOpenApiConnector,
  openApiActionId,
  type OpenApiConnector,
} from './create-openapi-connector'
import { OpenApiDocumentError } from './openapi-document-error'

// A small pet store: an OpenAPI 3.0 document written for this test, and a node:http server
// that implements it. The connector is imported from the document (object, file and URL).

interface Pet {
  id: number
  name: string
  tag: string | null
  status: 'available' | 'sold'
}

function petstoreDocument(port: number) {
  return {
    openapi: '3.0.3',
    info: { title: 'Pet Store', version: '1.0.0', description: 'Pets to adopt\nMore text' },
    servers: [
      { url: 'http://127.0.0.1:{port}/v1', variables: { port: { default: String(port) } } },
    ],
    security: [{ api_key: [] }],
    paths: {
      '/pets': {
        get: {
          operationId: 'listPets',
          summary: 'List pets',
          parameters: [
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
            { name: 'tags', in: 'query', schema: { type: 'array', items: { type: 'string' } } },
            { $ref: '#/components/parameters/Status' },
            { name: 'X-Request-Id', in: 'header', schema: { type: 'string' } },
          ],
          responses: {
            '200': {
              description: 'The pets',
              content: {
                'application/json': {
                  schema: { type: 'array', items: { $ref: '#/components/schemas/Pet' } },
                },
              },
            },
          },
        },
        post: {
          operationId: 'createPet',
          summary: 'Add a pet',
          security: [{ bearerAuth: [] }],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } },
          },
          responses: {
            '201': {
              description: 'Created',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } },
            },
            default: {
              description: 'Error',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
            },
          },
        },
      },
      '/pets/{petId}': {
        parameters: [
          { name: 'petId', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } },
        ],
        get: {
          operationId: 'getPetById',
          summary: 'Find a pet',
          responses: {
            '200': {
              description: 'The pet',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } },
            },
            '404': { description: 'No such pet' },
          },
        },
        delete: {
          operationId: 'deletePet',
          security: [{ basicAuth: [] }],
          responses: { '204': { description: 'Deleted' } },
        },
      },
      '/search': {
        get: {
          security: [],
          parameters: [
            {
              name: 'filter',
              in: 'query',
              style: 'deepObject',
              explode: true,
              schema: {
                type: 'object',
                properties: { tag: { type: 'string' }, status: { type: 'string' } },
              },
            },
          ],
          responses: {
            '200': {
              description: 'Matches',
              content: { 'application/json': { schema: { type: 'object' } } },
            },
          },
        },
      },
    },
    components: {
      parameters: {
        Status: {
          name: 'status',
          in: 'query',
          schema: { type: 'string', enum: ['available', 'sold'] },
        },
      },
      schemas: {
        Pet: {
          type: 'object',
          required: ['name'],
          properties: {
            id: { type: 'integer', readOnly: true },
            name: { type: 'string', minLength: 1, example: 'Rex' },
            tag: { type: 'string', nullable: true },
            status: { type: 'string', enum: ['available', 'sold'] },
          },
        },
        Error: { type: 'object', properties: { message: { type: 'string' } } },
      },
      securitySchemes: {
        api_key: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        bearerAuth: { type: 'http', scheme: 'bearer' },
        basicAuth: { type: 'http', scheme: 'basic' },
        session: { type: 'apiKey', in: 'cookie', name: 'sid' },
      },
    },
  }
}

let server: Server
let port: number
let pets: Pet[]
const received: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = []
let brokenPetShape = false

function json(response: ServerResponse, status: number, body: unknown, headers = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers })
  response.end(JSON.stringify(body))
}

beforeAll(async () => {
  pets = [
    { id: 1, name: 'Rex', tag: 'dog', status: 'available' },
    { id: 2, name: 'Tom', tag: null, status: 'sold' },
  ]
  server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString()))
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://localhost')
      received.push({ method: request.method!, url: request.url!, headers: request.headers, body })
      if (url.pathname === '/openapi.json') {
        const document = petstoreDocument(port)
        return json(response, 200, { ...document, servers: [{ url: '/v1' }] })
      }
      if (url.pathname === '/v1/search') return json(response, 200, { query: url.search })
      const apiKeyOk = request.headers['x-api-key'] === 'key-1'
      if (url.pathname === '/v1/pets' && request.method === 'GET') {
        if (!apiKeyOk) return json(response, 401, { message: 'bad key' })
        const status = url.searchParams.get('status')
        const limit = Number(url.searchParams.get('limit') ?? 100)
        return json(
          response,
          200,
          pets.filter((pet) => !status || pet.status === status).slice(0, limit),
        )
      }
      if (url.pathname === '/v1/pets' && request.method === 'POST') {
        if (request.headers.authorization !== 'Bearer admin-token')
          return json(response, 403, { message: 'no' })
        const input = JSON.parse(body) as Partial<Pet> & { name: string }
        const pet: Pet = {
          id: pets.length + 1,
          name: input.name,
          tag: input.tag ?? null,
          status: input.status ?? 'available',
        }
        pets.push(pet)
        return json(response, 201, pet)
      }
      const match = /^\/v1\/pets\/(\d+)$/.exec(url.pathname)
      if (match && request.method === 'GET') {
        if (!apiKeyOk) return json(response, 401, { message: 'bad key' })
        const pet = pets.find((candidate) => candidate.id === Number(match[1]))
        if (!pet) return json(response, 404, { message: 'Pet not found' })
        return json(response, 200, brokenPetShape ? { ...pet, name: 42 } : pet)
      }
      if (match && request.method === 'DELETE') {
        const expected = `Basic ${Buffer.from('admin:s3cret').toString('base64')}`
        if (request.headers.authorization !== expected)
          return json(response, 401, { message: 'no' })
        pets = pets.filter((candidate) => candidate.id !== Number(match[1]))
        response.writeHead(204)
        return response.end()
      }
      json(response, 404, { message: 'no route' })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
  petstore = await createOpenApiConnector({ id: 'petstore', document: petstoreDocument(port) })
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

let petstore: OpenApiConnector
const credentials = {
  api_key: 'key-1',
  bearerAuth: 'admin-token',
  basicAuth: { username: 'admin', password: 's3cret' },
}

function call(action: string, input: unknown, config: Record<string, unknown> = { credentials }) {
  const definition = petstore.actions[action]!
  return definition.run({
    config: config as never,
    input: definition.input.parse(input) as Record<string, unknown>,
    signal: new AbortController().signal,
    idempotencyKey: `run-1:${action}`,
    logger: noopLogger,
  })
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
}

describe('createOpenApiConnector: the actions', () => {
  it('has one action per operation, named after operationId or method and path, described', () => {
    expect(Object.keys(petstore.actions)).toEqual([
      'list-pets',
      'create-pet',
      'get-pet-by-id',
      'delete-pet',
      'get-search',
    ])
    expect(petstore).toMatchObject({
      id: 'petstore',
      name: 'Pet Store',
      description: 'Pets to adopt',
    })
    expect(petstore.actions['list-pets']).toMatchObject({
      title: 'List pets',
      description: 'List pets',
    })
    expect(petstore.actions['delete-pet']!.description).toBe('DELETE /pets/{petId}')
    // Every generated example passes its input schema (defineConnector checks it too).
    expect(petstore.actions['create-pet']!.examples).toEqual([
      { title: 'Add a pet', input: { body: { name: 'Rex' } } },
    ])
    expect(petstore.actions['get-pet-by-id']!.examples![0]!.input).toEqual({ path: { petId: 1 } })
    expect(openApiActionId({ method: 'get', path: '/users/{id}/HTTPLogs' })).toBe(
      'get-users-id-http-logs',
    )
  })

  it('types the input from parameters and body, and rejects bad input', () => {
    const getPet = petstore.actions['get-pet-by-id']!.input
    expect(getPet.safeParse({ path: { petId: 3 } }).success).toBe(true)
    expect(getPet.safeParse({ path: { petId: 'three' } }).success).toBe(false)
    expect(getPet.safeParse({ path: { petId: 0 } }).success).toBe(false)
    expect(getPet.safeParse({}).success).toBe(false)
    expect(getPet.safeParse({ path: { petId: 3 }, extra: 1 }).success).toBe(false)
    const list = petstore.actions['list-pets']!.input
    expect(list.safeParse({}).success).toBe(true)
    expect(list.safeParse({ query: { limit: 0 } }).success).toBe(false)
    expect(list.safeParse({ query: { status: 'lost' } }).success).toBe(false)
    expect(list.safeParse({ query: { unknown: 1 } }).success).toBe(false)
    const create = petstore.actions['create-pet']!.input
    expect(create.safeParse({ body: { name: '' } }).success).toBe(false)
    expect(create.safeParse({ body: { name: 'Bo', tag: null } }).success).toBe(true)
    expect(create.safeParse({}).success).toBe(false)
  })

  it('maps security schemes to credentials that are secret references; baseUrl defaults to the server', () => {
    expect(petstore.config.safeParse({}).success).toBe(true)
    expect(
      petstore.config.safeParse({
        credentials: {
          api_key: { $secret: 'PETS_KEY' },
          basicAuth: { username: 'admin', password: { $secret: 'PETS_PW' } },
          session: { $secret: 'SID' },
        },
      }).success,
    ).toBe(true)
    expect(petstore.config.safeParse({ credentials: { api_key: 'inline-key' } }).success).toBe(
      false,
    )
    expect(petstore.config.safeParse({ credentials: { nope: { $secret: 'X' } } }).success).toBe(
      false,
    )
    expect(petstore.config.safeParse({ baseUrl: 'not a url' }).success).toBe(false)
  })
})

describe('createOpenApiConnector: calls against the server', () => {
  it('lists with query parameters (form, exploded arrays), the API key header and the idempotency key', async () => {
    const output = (await call('list-pets', {
      query: { limit: 5, tags: ['a', 'b'], status: 'available' },
      headers: { 'X-Request-Id': 'req-9' },
    })) as { status: number; body: Pet[] }
    expect(output.status).toBe(200)
    expect(output.body).toEqual([pets[0]])
    const seen = received.at(-1)!
    expect(seen.url).toBe('/v1/pets?limit=5&tags=a&tags=b&status=available')
    expect(seen.headers).toMatchObject({
      'x-api-key': 'key-1',
      'x-request-id': 'req-9',
      'idempotency-key': 'run-1:list-pets',
    })
    expect(petstore.actions['list-pets']!.output.safeParse(output).success).toBe(true)
  })

  it('creates with a JSON body and a bearer token; gets by path parameter; deletes with basic auth', async () => {
    const created = (await call('create-pet', { body: { name: 'Bo', tag: 'cat' } })) as {
      status: number
      body: Pet
    }
    expect(created).toMatchObject({ status: 201, body: { name: 'Bo', tag: 'cat', id: 3 } })
    expect(received.at(-1)!.headers['content-type']).toBe('application/json')
    expect(JSON.parse(received.at(-1)!.body)).toEqual({ name: 'Bo', tag: 'cat' })
    expect(await call('get-pet-by-id', { path: { petId: 3 } })).toMatchObject({
      body: { name: 'Bo' },
    })
    expect(await call('delete-pet', { path: { petId: 3 } })).toMatchObject({
      status: 204,
      body: null,
    })
    expect(await failure(call('get-pet-by-id', { path: { petId: 3 } }))).toMatchObject({
      reason: 'not-found',
      status: 404,
    })
  })

  it('serialises deepObject query parameters; an operation with security: [] needs no credentials', async () => {
    const output = await call(
      'get-search',
      { query: { filter: { tag: 'dog', status: 'sold' } } },
      {},
    )
    expect(output).toMatchObject({
      body: { query: '?filter%5Btag%5D=dog&filter%5Bstatus%5D=sold' },
    })
    expect(received.at(-1)!.headers['x-api-key']).toBeUndefined()
  })

  it('maps errors: missing credentials (before sending), refused credentials, unresolved secrets', async () => {
    const before = received.length
    const missing = await failure(
      call('create-pet', { body: { name: 'X' } }, { credentials: { api_key: 'key-1' } }),
    )
    expect(ConnectorError.isInstance(missing)).toBe(true)
    expect(missing).toMatchObject({ reason: 'invalid-config', action: 'create-pet' })
    expect((missing as Error).message).toContain('needs credentials for bearerAuth')
    expect(received.length).toBe(before)
    expect(
      await failure(call('list-pets', {}, { credentials: { api_key: 'wrong' } })),
    ).toMatchObject({ reason: 'unauthorized', status: 401 })
    const unresolved = await failure(
      call('list-pets', {}, { credentials: { api_key: { $secret: 'PETS_KEY' } } }),
    )
    expect(unresolved).toMatchObject({ reason: 'invalid-config' })
    expect((unresolved as Error).message).toContain('credentials.api_key')
  })

  it('runs as a workflow step: secrets from the provider, output checked against the response schema', async () => {
    const workflow = createWorkflow({ id: 'pet-name', input: z.object({ petId: z.number() }) })
      .map(({ input }) => ({ path: { petId: input.petId } }))
      .action(petstore, 'get-pet-by-id', { credentials: { api_key: { $secret: 'PETS_KEY' } } })
      .commit()
    const engine = createEngine({ secrets: mapSecrets({ PETS_KEY: 'key-1' }) })
    try {
      const run = await engine.start(workflow, { petId: 2 })
      expect(await run.result()).toMatchObject({
        status: 200,
        body: { id: 2, name: 'Tom', tag: null },
      })
      expect(received.at(-1)!.headers['idempotency-key']).toBe(`${run.id}:petstore.get-pet-by-id`)
      brokenPetShape = true
      const broken = await engine.start(workflow, { petId: 1 })
      await expect(broken.result()).rejects.toMatchObject({ code: 'validation_failed' })
    } finally {
      brokenPetShape = false
      await engine.close()
    }
  })
})

describe('createOpenApiConnector: check', () => {
  it('sends a HEAD to the base URL; fails when the host cannot be reached', async () => {
    const check = (config: Record<string, unknown>) =>
      petstore.check!({
        config: config as never,
        signal: new AbortController().signal,
        logger: noopLogger,
      })
    await expect(check({ credentials })).resolves.toBeUndefined()
    expect(received.at(-1)).toMatchObject({ method: 'HEAD', url: '/v1' })
    expect(received.at(-1)!.headers['x-api-key']).toBe('key-1')
    await expect(check({ baseUrl: 'http://127.0.0.1:9/v1', credentials })).rejects.toMatchObject({
      reason: 'network',
      action: 'check',
    })
  })
})

describe('createOpenApiConnector: loading and invalid documents', () => {
  it('loads a YAML file and a URL (relative server URLs resolve against it)', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'tessera-openapi-'))
    try {
      const file = join(directory, 'health.yaml')
      await writeFile(
        file,
        [
          'openapi: 3.1.0',
          'info: { title: Health, version: "1" }',
          `servers: [{ url: "http://127.0.0.1:${port}/v1" }]`,
          'paths:',
          '  /search:',
          '    get:',
          '      operationId: search',
          '      responses: { "200": { description: ok } }',
        ].join('\n'),
      )
      const fromFile = await createOpenApiConnector({ id: 'health', document: file })
      expect(Object.keys(fromFile.actions)).toEqual(['search'])
    } finally {
      await rm(directory, { recursive: true, force: true })
    }
    const fromUrl = await createOpenApiConnector({
      id: 'remote-pets',
      document: `http://127.0.0.1:${port}/openapi.json`,
    })
    const output = await fromUrl.actions['get-search']!.run({
      config: {},
      input: {},
      signal: new AbortController().signal,
      idempotencyKey: 'k',
      logger: noopLogger,
    })
    expect(output).toMatchObject({ status: 200 })
    expect(received.at(-1)!.url).toBe('/v1/search')
  })

  it('refuses an invalid document with the parser message and the JSON path', async () => {
    const document = petstoreDocument(port) as Record<string, any>
    delete document.paths['/pets'].get.responses['200'].description
    const error = await failure(createOpenApiConnector({ id: 'bad', document }))
    expect(OpenApiDocumentError.isInstance(error)).toBe(true)
    const issues = (error as OpenApiDocumentError).issues
    expect(issues[0]!.message).toContain("must have required property 'description'")
    expect(issues[0]!.path).toBe('/paths/~1pets/get/responses/200')
    expect((error as Error).message).toContain('is invalid at /paths/~1pets/get/responses/200')
    expect((error as OpenApiDocumentError).toJSON()).toMatchObject({
      code: 'openapi_document_invalid',
    })
  })

  it('refuses a dangling $ref, a Swagger 2 document and a document without operations', async () => {
    const dangling = petstoreDocument(port) as Record<string, any>
    dangling.paths['/pets'].get.responses['200'].content['application/json'].schema = {
      $ref: '#/components/schemas/Nope',
    }
    const error = (await failure(
      createOpenApiConnector({ id: 'bad', document: dangling }),
    )) as OpenApiDocumentError
    expect(error.issues[0]).toMatchObject({ path: '/components/schemas/Nope' })
    expect(error.message).toContain('Missing $ref pointer')
    const swagger = (await failure(
      createOpenApiConnector({
        id: 'old',
        document: { swagger: '2.0', info: { title: 'x', version: '1' }, paths: {} },
      }),
    )) as OpenApiDocumentError
    expect(swagger.message).toContain('expected an OpenAPI 3.0 or 3.1 document, got Swagger 2.0')
    await expect(
      createOpenApiConnector({
        id: 'empty',
        document: { openapi: '3.0.3', info: { title: 'x', version: '1' }, paths: {} },
      }),
    ).rejects.toThrow('the document has no operations')
  })
})
