// @tessera/connectors/nats: being built (issue 7).
export {}
