// @tessera/connectors: shared pieces. Each connector lives behind its own subpath
// (`@tessera/connectors/http`), so an application bundles only the ones it imports.
export { ConnectorError, type ConnectorFailureReason } from './connector-error'
