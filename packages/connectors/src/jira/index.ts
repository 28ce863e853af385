// @tessera/connectors/jira: being built (issue 7).
export {}
