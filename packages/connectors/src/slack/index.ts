// @tessera/connectors/slack: being built (issue 7).
export {}
