// @tessera/connectors/graphql: the GraphQL connector (optional peer: graphql, loaded lazily).
export {
  graphqlConnector,
  createGraphqlConnector,
  type GraphqlConnector,
  type GraphqlConnectorSettings,
} from './create-graphql-connector'
export {
  graphqlConnectorConfigSchema,
  type GraphqlConnectorConfig,
  type ResolvedGraphqlConnectorConfig,
} from './graphql-connector-config'
export {
  graphqlQueryInputSchema,
  graphqlQueryOutputSchema,
  checkGraphqlDocument,
  executeGraphql,
  type GraphqlQueryInput,
  type GraphqlQueryOutput,
} from './graphql-query-action'
