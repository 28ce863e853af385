// @tessera/core/testing: conformance suites for adapter authors, and helpers for users' tests.
export { describeStoreConformance, type StoreConformanceOptions } from './store-conformance'
export { describeQueueConformance, type QueueConformanceOptions } from './queue-conformance'
