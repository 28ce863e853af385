// @tessera/connectors/twilio: being built (issue 7).
export {}
