// @tessera/connectors/triggers: being built (issue 7).
export {}
