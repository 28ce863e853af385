// @tessera/connectors/rabbitmq: being built (issue 7).
export {}
