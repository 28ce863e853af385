// @tessera/connectors/graphql: being built (issue 7).
export {}
