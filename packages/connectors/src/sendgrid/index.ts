// @tessera/connectors/sendgrid: being built (issue 7).
export {}
