// @tessera/connectors/vault: being built (issue 7).
export {}
