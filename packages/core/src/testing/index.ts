// @tessera/core/testing: conformance suites for adapter authors, and helpers for users' tests.
export { describeStoreConformance, type StoreConformanceOptions } from './store-conformance'
export { describeQueueConformance, type QueueConformanceOptions } from './queue-conformance'
export {
  describeLanguageModelConformance,
  type LanguageModelConformanceOptions,
  type LanguageModelConformanceTest,
} from './language-model-conformance'
export { readModelStream, type ModelStreamReading } from './read-model-stream'
export { responseText } from './response-text'
export type { ModelWireReply, ModelWireRequest, ModelWireServer } from './model-wire-reply'
export {
  describeHttpConformance,
  type HttpConformanceHandler,
  type HttpConformanceOptions,
  type HttpConformanceServer,
} from './http-conformance'
export {
  createHttpConformanceSetup,
  httpConformanceWorkflows,
  httpConformanceOrigin,
  httpConformanceBodyBytes,
  type HttpConformanceTokens,
} from './http-conformance-fixture'
export { readServerSentEvents, type ServerSentEvent } from './read-server-sent-events'
export {
  describeConnectorConformance,
  type ConnectorConformanceOptions,
  type ConnectorConformanceCall,
  type NotApplicable,
} from './connector-conformance'
export { createManualClock, type ManualClock } from './manual-clock'
