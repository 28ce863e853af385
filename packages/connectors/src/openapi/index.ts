// @tessera/connectors/openapi: being built (issue 7).
export {}
