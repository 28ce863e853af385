// @tessera/connectors/openapi: one typed action per operation of an OpenAPI 3.0/3.1 document
// (optional peer: @readme/openapi-parser, loaded lazily).
export {
  createOpenApiConnector,
  openApiActionId,
  type OpenApiConnector,
  type OpenApiConnectorConfig,
  type OpenApiConnectorSettings,
} from './create-openapi-connector'
export { OpenApiDocumentError, type OpenApiDocumentIssue } from './openapi-document-error'
export { openApiSchemaToJsonSchema, openApiSchemaToZod } from './openapi-json-schema'
export { jsonPointerAtLine } from './json-line-pointer'
export type { OpenApiActionConfig, OpenApiActionOutput } from './openapi-operation-action'
