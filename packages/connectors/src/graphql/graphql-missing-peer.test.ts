import { describe, expect, it, vi } from 'vitest'
import { noopLogger } from '@tessera/core'

// Without the optional peer `graphql` installed, the action says what to install. The module
// registry of this file pretends the package is missing; the connector itself is the real one.
vi.doMock('graphql', () => {
  throw new Error("Cannot find package 'graphql'")
})

describe('graphqlConnector without graphql installed', () => {
  it('throws invalid-config "install graphql to use the GraphQL connector"', async () => {
    const { graphqlConnector } = await import('./create-graphql-connector')
    const error = await graphqlConnector.actions.query
      .run({
        config: { endpoint: 'http://127.0.0.1:9/graphql' },
        input: { query: '{ __typename }' },
        signal: new AbortController().signal,
        idempotencyKey: 'k',
        logger: noopLogger,
      })
      .catch((caught: unknown) => caught)
    expect(error).toMatchObject({
      code: 'connector_error',
      reason: 'invalid-config',
      message: 'graphql.query: install graphql to use the GraphQL connector',
    })
  })
})
