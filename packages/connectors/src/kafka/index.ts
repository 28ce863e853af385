// @tessera/connectors/kafka: being built (issue 7).
export {}
