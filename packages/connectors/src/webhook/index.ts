// @tessera/connectors/webhook: being built (issue 7).
export {}
