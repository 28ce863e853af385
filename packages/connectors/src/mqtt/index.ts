// @tessera/connectors/mqtt: being built (issue 7).
export {}
