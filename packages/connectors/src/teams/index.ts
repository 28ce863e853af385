// @tessera/connectors/teams: being built (issue 7).
export {}
