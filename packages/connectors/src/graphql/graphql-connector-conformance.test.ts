import { buildSchema, graphql } from 'graphql'
import { afterAll, beforeAll } from 'vitest'
import { describeConnectorConformance } from '@tessera/core/testing'
import { startGenericApiServer, type GenericApiServer } from '../../test/generic-api-server'
import { graphqlConnector } from './create-graphql-connector'

const token = 'graphql-conformance-token-0123'
const schema = buildSchema('type Query { hello(name: String!): String!, slow: String }')
let server: GenericApiServer

beforeAll(async () => {
  server = await startGenericApiServer(async (request) => {
    if (request.headers.authorization !== `Bearer ${token}`)
      return { status: 401, body: { errors: [{ message: 'bad token' }] } }
    const body = JSON.parse(request.body) as { query: string; variables?: Record<string, unknown> }
    if (body.query.includes('slow')) return 'hold'
    const result = await graphql({
      schema,
      source: body.query,
      rootValue: { hello: ({ name }: { name: string }) => `Hello ${name}` },
      variableValues: body.variables ?? null,
    })
    return { status: 200, body: result }
  })
})
afterAll(() => server.close())

const config = (endpoint: () => string) => () => ({
  endpoint: endpoint(),
  auth: { type: 'bearer', token: { $secret: 'GRAPHQL_TOKEN' } },
})

describeConnectorConformance({
  connector: graphqlConnector,
  config: config(() => `${server.url}/graphql`),
  secrets: { GRAPHQL_TOKEN: token },
  action: {
    name: 'query',
    input: {
      query: 'query Hello($name: String!) { hello(name: $name) }',
      variables: { name: 'Ann' },
    },
  },
  unreachable: config(() => 'http://127.0.0.1:9/graphql'),
  rejectedSecrets: { GRAPHQL_TOKEN: 'graphql-conformance-wrong-4567' },
  slow: () => {
    const before = server.released
    return {
      name: 'query',
      input: { query: '{ slow }' },
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
})
