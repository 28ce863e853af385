// @tessera/connectors/s3: the S3 connector (@aws-sdk/client-s3, an optional peer dependency that
// only this subpath loads, on first use).
export {
  createS3Connector,
  s3Connector,
  closeS3Clients,
  type S3Connector,
  type S3ConnectorSettings,
} from './s3-connector'
export { s3ConnectorConfigSchema, type S3ConnectorConfig } from './s3-connector-config'
export { s3IdempotencyMetadataKey, defaultS3MaxBytes } from './s3-connector-actions'
