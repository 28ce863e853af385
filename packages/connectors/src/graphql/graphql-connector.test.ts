import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { buildSchema, graphql, GraphQLError, parse, validate } from 'graphql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ConnectorError, createEngine, createWorkflow, mapSecrets, noopLogger } from '@tessera/core'
import { createGraphqlConnector, graphqlConnector } from './create-graphql-connector'
import type { ResolvedGraphqlConnectorConfig } from './graphql-connector-config'
import { graphqlQueryInputSchema, type GraphqlQueryInput } from './graphql-query-action'

// A real GraphQL server: graphql-js executing a schema, served over node:http as GraphQL over
// HTTP (POST JSON; 400 with errors for documents that do not validate; 401 without a token).

const schema = buildSchema(`
  type Pet { id: ID!, name: String!, owner: String }
  type Query { pet(id: ID!): Pet, pets: [Pet!]! }
  type Mutation { rename(id: ID!, name: String!): Pet! }
`)
const pets = new Map([
  ['1', { id: '1', name: 'Rex' }],
  ['2', { id: '2', name: 'Tom' }],
])
const root = {
  pet: ({ id }: { id: string }) => pets.get(id) ?? null,
  pets: () =>
    [...pets.values()].map((pet) => ({
      ...pet,
      owner: () => {
        if (pet.id === '2')
          throw new GraphQLError('owner is private', { extensions: { code: 'FORBIDDEN' } })
        return 'Ann'
      },
    })),
  rename: ({ id, name }: { id: string; name: string }) => {
    const pet = pets.get(id)
    if (!pet) throw new GraphQLError(`no pet ${id}`, { extensions: { code: 'NOT_FOUND' } })
    pet.name = name
    return pet
  },
}

let server: Server
let endpoint: string
const received: { headers: IncomingHttpHeaders; body: Record<string, unknown> }[] = []
let nextStatus: { status: number; headers?: Record<string, string>; body: string } | undefined

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = ''
    request.on('data', (chunk: Buffer) => (text += chunk.toString()))
    request.on('end', () => {
      const body = JSON.parse(text) as {
        query: string
        variables?: Record<string, unknown>
        operationName?: string
      }
      received.push({ headers: request.headers, body })
      const send = (status: number, answer: unknown, headers: Record<string, string> = {}) => {
        response.writeHead(status, {
          'content-type': 'application/graphql-response+json',
          ...headers,
        })
        response.end(JSON.stringify(answer))
      }
      if (nextStatus) {
        const { status, headers, body: raw } = nextStatus
        nextStatus = undefined
        response.writeHead(status, { 'content-type': 'application/json', ...headers })
        return response.end(raw)
      }
      if (request.headers.authorization !== 'Bearer pets-token')
        return send(401, { errors: [{ message: 'missing or wrong token' }] })
      const document = parse(body.query)
      const invalid = validate(schema, document)
      if (invalid.length > 0) return send(400, { errors: invalid.map((error) => error.toJSON()) })
      void graphql({
        schema,
        source: body.query,
        rootValue: root,
        variableValues: body.variables ?? null,
        operationName: body.operationName ?? null,
      }).then((result) => send(200, result))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const config = (): ResolvedGraphqlConnectorConfig => ({
  endpoint,
  auth: { type: 'bearer', token: 'pets-token' },
})

function query(input: GraphqlQueryInput, overrides: Partial<ResolvedGraphqlConnectorConfig> = {}) {
  return graphqlConnector.actions.query.run({
    config: { ...config(), ...overrides },
    input: graphqlQueryInputSchema.parse(input),
    signal: new AbortController().signal,
    idempotencyKey: 'run-1:query',
    logger: noopLogger,
  })
}

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(ConnectorError.isInstance(error)).toBe(true)
  return error as ConnectorError
}

describe('graphqlConnector against a graphql-js server', () => {
  it('runs a query with variables and a mutation by operationName, with the idempotency key', async () => {
    expect(
      await query({
        query: 'query Pet($id: ID!) { pet(id: $id) { id name } }',
        variables: { id: '1' },
      }),
    ).toEqual({ data: { pet: { id: '1', name: 'Rex' } } })
    const renamed = await query({
      query:
        'query Read { pet(id: "1") { name } } mutation Rename($name: String!) { rename(id: "1", name: $name) { name } }',
      variables: { name: 'Max' },
      operationName: 'Rename',
    })
    expect(renamed.data).toEqual({ rename: { name: 'Max' } })
    expect(received.at(-1)!.headers['idempotency-key']).toBe('run-1:query')
    expect(received.at(-1)!.headers['content-type']).toBe('application/json')
    expect(received.at(-1)!.body).toMatchObject({
      operationName: 'Rename',
      variables: { name: 'Max' },
    })
  })

  it('refuses a syntax error before sending, with its line and column', async () => {
    const before = received.length
    const error = await failure(query({ query: '{\n  pet(id: "1") {\n    name\n' }))
    expect(error).toMatchObject({ reason: 'invalid-request', retryable: false })
    expect(error.message).toMatch(/not valid GraphQL at line 4, column 1: Syntax Error/)
    expect(
      (await failure(query({ query: 'query A { pets { id } } query B { pets { id } }' }))).message,
    ).toContain('has 2 operations (A, B)')
    expect(
      (await failure(query({ query: 'query A { pets { id } }', operationName: 'B' }))).message,
    ).toContain('operationName "B" is not in the query')
    expect(received.length).toBe(before)
  })

  it('throws GraphQL errors with their messages and paths, or returns them with partial', async () => {
    const error = await failure(query({ query: '{ pets { id owner } }' }))
    expect(error).toMatchObject({ reason: 'unauthorized', status: 'FORBIDDEN', retryable: false })
    expect(error.message).toContain('GraphQL error: owner is private (at pets.1.owner)')
    const partial = await query({ query: '{ pets { id owner } }', partial: true })
    expect(partial.data).toEqual({
      pets: [
        { id: '1', owner: 'Ann' },
        { id: '2', owner: null },
      ],
    })
    expect(partial.errors).toEqual([
      expect.objectContaining({ message: 'owner is private', path: ['pets', 1, 'owner'] }),
    ])
    expect(
      await failure(query({ query: 'mutation { rename(id: "9", name: "X") { id } }' })),
    ).toMatchObject({ reason: 'not-found' })
    const invalid = await failure(query({ query: '{ pets { nope } }' }))
    expect(invalid).toMatchObject({ reason: 'remote', status: 400, retryable: false })
    expect(invalid.message).toContain('Cannot query field "nope" on type "Pet"')
  })

  it('maps 401, 429 with Retry-After, 5xx and a non-GraphQL body', async () => {
    expect(
      await failure(
        query({ query: '{ pets { id } }' }, { auth: { type: 'bearer', token: 'wrong' } }),
      ),
    ).toMatchObject({ reason: 'unauthorized', status: 401 })
    nextStatus = {
      status: 429,
      headers: { 'retry-after': '3' },
      body: '{"errors":[{"message":"slow down"}]}',
    }
    expect(await failure(query({ query: '{ pets { id } }' }))).toMatchObject({
      reason: 'rate-limited',
      retryAfterMs: 3000,
      retryable: true,
    })
    nextStatus = {
      status: 200,
      body: '{"data":null,"errors":[{"message":"API rate limit exceeded","extensions":{"code":"RATE_LIMITED"}}]}',
    }
    expect(await failure(query({ query: '{ pets { id } }' }))).toMatchObject({
      reason: 'rate-limited',
      status: 'RATE_LIMITED',
      retryable: true,
    })
    nextStatus = { status: 502, body: '<html>bad gateway</html>' }
    expect(await failure(query({ query: '{ pets { id } }' }))).toMatchObject({
      reason: 'remote',
      status: 502,
      retryable: true,
    })
    nextStatus = { status: 200, body: '{"hello":"world"}' }
    expect(await failure(query({ query: '{ pets { id } }' }))).toMatchObject({
      reason: 'invalid-response',
    })
  })

  it('check runs { __typename }: fine with the token, unauthorized without', async () => {
    const check = (overrides: Partial<ResolvedGraphqlConnectorConfig>) =>
      graphqlConnector.check!({
        config: { ...config(), ...overrides },
        signal: new AbortController().signal,
        logger: noopLogger,
      })
    await expect(check({})).resolves.toBeUndefined()
    expect(received.at(-1)!.body.query).toContain('__typename')
    await expect(check({ auth: undefined })).rejects.toMatchObject({ reason: 'unauthorized' })
  })

  it('runs as a workflow step with its token from the engine’s secrets provider', async () => {
    const pets = createGraphqlConnector({ id: 'pets-api' })
    const workflow = createWorkflow({ id: 'pet-name', input: z.object({ id: z.string() }) })
      .map(({ input }) => ({
        query: 'query Pet($id: ID!) { pet(id: $id) { name } }',
        variables: { id: input.id },
      }))
      .action(pets, 'query', {
        endpoint,
        auth: { type: 'bearer', token: { $secret: 'PETS_TOKEN' } },
      })
      .commit()
    const engine = createEngine({ secrets: mapSecrets({ PETS_TOKEN: 'pets-token' }) })
    try {
      const run = await engine.start(workflow, { id: '2' })
      expect(await run.result()).toEqual({ data: { pet: { name: 'Tom' } } })
      expect(received.at(-1)!.headers['idempotency-key']).toBe(`${run.id}:pets-api.query`)
    } finally {
      await engine.close()
    }
  })
})
