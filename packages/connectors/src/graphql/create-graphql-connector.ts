import { defineConnector } from '@tessera/core'
import { graphqlConnectorConfigSchema } from './graphql-connector-config'
import { createGraphqlQueryAction, executeGraphql } from './graphql-query-action'

/**
 * Settings of {@link createGraphqlConnector}.
 *
 * @example
 * ```ts
 * const settings: GraphqlConnectorSettings = { id: 'shop', fetch: instrumentedFetch }
 * ```
 */
export interface GraphqlConnectorSettings {
  /** Default `graphql`. */
  id?: string
  /** Default: the global `fetch`, looked up at every request. */
  fetch?: typeof globalThis.fetch
}

/**
 * Creates a GraphQL connector. Its action `query` checks the document with `graphql`'s parser
 * (an optional peer: `npm i graphql`), POSTs `{ query, variables, operationName }` as JSON to
 * the endpoint with `auth` and the step's idempotency key as an `Idempotency-Key` header, and
 * returns `data`; GraphQL `errors` throw a `ConnectorError` with their messages unless the input
 * asks for `partial` answers. `check` runs `{ __typename }`.
 *
 * @example
 * ```ts
 * const shop = createGraphqlConnector({ id: 'shop' })
 * engine.register(shop)
 * ```
 */
export function createGraphqlConnector(settings: GraphqlConnectorSettings = {}) {
  const id = settings.id ?? 'graphql'
  const fetch = () => settings.fetch ?? globalThis.fetch
  return defineConnector({
    id,
    name: 'GraphQL',
    description: 'Runs GraphQL queries and mutations against an endpoint',
    docs: 'https://tessera.dev/docs/connectors/graphql',
    config: graphqlConnectorConfigSchema,
    actions: { query: createGraphqlQueryAction({ connectorId: id, fetch }) },
    async check({ config, signal, logger }) {
      await executeGraphql({
        connector: id,
        action: 'check',
        config,
        input: { query: 'query TesseraCheck { __typename }' },
        fetch: fetch(),
        signal,
        logger,
      })
    },
  })
}

/**
 * The GraphQL connector with the global `fetch` (see {@link createGraphqlConnector}).
 *
 * @example
 * ```ts
 * createWorkflow({ id: 'pet-name', input: z.object({ id: z.string() }) })
 *   .map(({ input }) => ({ query: 'query Pet($id: ID!) { pet(id: $id) { name } }', variables: input }))
 *   .action(graphqlConnector, 'query', { endpoint: 'https://api.example.com/graphql', auth: { type: 'bearer', token: { $secret: 'PETS_TOKEN' } } })
 * ```
 */
export const graphqlConnector = /* @__PURE__ */ createGraphqlConnector()

/**
 * The connector that {@link createGraphqlConnector} returns.
 *
 * @example
 * ```ts
 * const shop: GraphqlConnector = createGraphqlConnector({ id: 'shop' })
 * ```
 */
export type GraphqlConnector = ReturnType<typeof createGraphqlConnector>
