// @tessera/connectors/github: being built (issue 7).
export {}
