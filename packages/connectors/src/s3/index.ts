// @tessera/connectors/s3: being built (issue 7).
export {}
