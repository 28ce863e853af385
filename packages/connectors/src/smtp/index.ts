// @tessera/connectors/smtp: being built (issue 7).
export {}
