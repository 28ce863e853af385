// ConnectorError moved to @tessera/core so that third-party connectors, the engine's preflight
// and the connector conformance suite share one class; re-exported here for existing imports.
export { ConnectorError, type ConnectorFailureReason } from '@tessera/core'
