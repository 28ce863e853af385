// @tessera/connectors/hubspot: being built (issue 7).
export {}
