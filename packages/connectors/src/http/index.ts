// @tessera/connectors/http: the HTTP connector. Uses the global fetch; no Node.js APIs.
export {
  httpConnector,
  createHttpConnector,
  type HttpConnector,
  type HttpConnectorSettings,
} from './create-http-connector'
export { httpConnectorConfigSchema, type HttpConnectorConfig } from './http-connector-config'
export {
  httpRequestInputSchema,
  httpResponseOutputSchema,
  defaultHttpTimeoutMs,
  type HttpRequestInput,
  type HttpResponseOutput,
} from './http-request-action'
export { ConnectorError, type ConnectorFailureReason } from '../connector-error'
