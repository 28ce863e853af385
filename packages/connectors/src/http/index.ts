// @tessera/connectors/http: the HTTP connector. Uses the global fetch; no Node.js APIs.
export {
  httpConnector,
  createHttpConnector,
  type HttpConnector,
  type HttpConnectorSettings,
} from './create-http-connector'
export {
  httpConnectorConfigSchema,
  configHeadersSchema,
  type HttpConnectorConfig,
  type ResolvedHttpConnectorConfig,
} from './http-connector-config'
export { httpAuthSchema, applyHttpAuth, type HttpAuth, type ResolvedHttpAuth } from './http-auth'
export {
  httpRequestInputSchema,
  httpResponseOutputSchema,
  defaultHttpTimeoutMs,
  type HttpRequestInput,
  type HttpResponseOutput,
} from './http-request-action'
export {
  httpPaginateInputSchema,
  httpPaginateOutputSchema,
  type HttpPaginateInput,
  type HttpPaginateOutput,
} from './http-paginate-action'
export {
  httpPaginationSchema,
  firstPageUrl,
  nextPageUrl,
  nextCursor,
  type HttpPagination,
} from './http-pagination'
export { httpStatusError, parseRetryAfter } from './http-status-error'
export { parseLinkHeader } from './link-header'
export { readJsonPointer, jsonPointerSchema } from './json-pointer'
export { ConnectorError, type ConnectorFailureReason } from '../connector-error'
