// @tessera/connectors/mcp: being built (issue 7).
export {}
