// @tessera/core: the curated public API. No logic here.

// Builder
export { createStep, type Step, type StepOptions, type StepContext } from './builder/step'
export {
  createWorkflow,
  WorkflowBuilder,
  type WorkflowOptions,
  type MapArguments,
  type BranchCondition,
  type ForeachOptions,
  type LoopOptions,
  type WaitForEventOptions,
  type ApprovalOptions,
  type ApprovalDecision,
  type DeclaredOutput,
  type FinalOutput,
  type CommitArguments,
  type ElementOf,
} from './builder/workflow-builder'
export type {
  Workflow,
  AnyRunnable,
  InputOf,
  OutputOf,
  IdOf,
  InlineFunction,
} from './builder/workflow'
export { workflowFromDefinition } from './builder/workflow-from-definition'
export { asNode, type NodeOptions } from './builder/node-options'
export type {
  ActionNameOf,
  ActionInputOf,
  ActionOutputOf,
  ConnectorConfigOf,
} from './builder/connector-action-node'
export { namedFunction } from './builder/named-function'
export { expression } from './builder/expression'
export { sequence, single, type FragmentBuild } from './builder/fragment'
export type {
  Accepts,
  StepInputMismatch,
  ForeachNeedsArray,
  LoopOutputMismatch,
  WorkflowOutputMismatch,
} from './builder/type-errors'

// Engine
export {
  createEngine,
  type Engine,
  type EngineOptions,
  type StartOptions,
  type SendEventOptions,
  type SendEventResult,
  type DecisionOptions,
} from './runtime/engine'
export type { PreflightOptions, PreflightResult } from './runtime/preflight'
export type { StoredDefinitionsOptions } from './runtime/stored-definitions'
export { envSecrets, mapSecrets, type EnvSecretsOptions } from './secrets/index'
export {
  signWebhook,
  checkWebhookSignature,
  type WebhookVerification,
} from './webhooks/webhook-signature'
export type { TriggerStatus, TriggerState } from './runtime/triggers'
export { createStoreTransport, type StoreTransportOptions } from './transport/store-transport'
export { RunHandle, type RunHandleBackend } from './runtime/run-handle'
export type {
  EngineEventMap,
  EngineEventName,
  EngineEvent,
  RunStartEvent,
  RunEndEvent,
  StepStartEvent,
  StepEndEvent,
  StepRetryEvent,
  StepSuspendEvent,
} from './runtime/events'
export { parseDuration, type Duration } from './runtime/duration'
export type { RetryOptions, RetryPolicy } from './runtime/retry-policy'
export { toValidationIssues } from './runtime/validate'

// Definitions (also in the browser-safe '@tessera/core/definition')
// From the files, not the subpath's index: the main entry's bundle stays free of what only the
// subpath exports (validation, code generation and the JSONata parser they use).
export {
  workflowDefinitionSchema,
  type WorkflowDefinition,
  type DefinitionNode,
} from './definition/schema'
export { parseDefinition } from './definition/parse-definition'

// Registry and plugins
export { definePlugin, type Plugin, type PluginOptions } from './registry/plugin'
export { defineConnector, defineAgentSpec } from './registry/define-connector'
export {
  createRegistry,
  type Registry,
  type MutableRegistry,
  type RegistryCollection,
  type RegistryDescription,
} from './registry/registry'
export { toJsonSchema, type JsonSchema } from './registry/json-schema'

// Ports
export {
  terminalRunStatuses,
  type StoreV1,
  type StoreCapabilities,
  type RunStatus,
  type RunRecord,
  type StepRecord,
  type TaskRecord,
  type ScopeRecord,
  type RunPatch,
  type CommitInput,
  type CommitResult,
  type JoinOutcome,
  type Awaitable,
  type ClaimResult,
  type ListRunsQuery,
  type RunPage,
  type RunHistory,
  waitForever,
  type TaskWait,
  type WaitResolution,
  type EventRecord,
  type ResolveWaitResult,
  type PurgeRunsInput,
  type ThreadRecord,
  type StoredRecord,
  type PutRecordResult,
  type ListRecordsQuery,
} from './ports/store-v1'
export { waitMatchFields, waitMatchKey, eventMatchKey, eventMatchesWait } from './ports/wait-match'
export { checkPurgeRunsInput } from './ports/purge-runs'
export {
  checkThreadInput,
  maxThreadIdLength,
  type ThreadOperation,
  type CheckedThreadAppend,
  type CheckedThreadSummary,
} from './ports/thread-input'
export {
  checkRecordInput,
  recordPrefixEnd,
  compareRecordKeys,
  maxRecordCollectionLength,
  maxRecordKeyLength,
  maxRecordListLimit,
  type RecordOperation,
  type CheckedRecordPut,
  type CheckedRecordDelete,
  type CheckedRecordList,
} from './ports/record-input'
export { encodeRunCursor, decodeRunCursor } from './ports/run-cursor'
export type {
  QueueV1,
  QueueMessage,
  QueueHandler,
  QueueConsumer,
  QueueCapabilities,
  QueueConsumeOptions,
} from './ports/queue-v1'
export type { Logger, LogFields } from './ports/logger'
export type { Tracer, TraceSpan, SpanAttributes } from './ports/tracer'
export { systemClock, randomId, type Clock, type IdGenerator } from './ports/clock'
export type {
  LanguageModelV1,
  ModelMessage,
  ModelRequest,
  ModelResponse,
  ModelStreamPart,
  ModelTool,
  ModelToolChoice,
  ModelCapabilities,
  ModelFallbackSwitch,
  ContentPart,
  TokenUsage,
  SchemaLike,
} from './ports/language-model-v1'
export type {
  ConnectorV1,
  ConnectorAction,
  ConnectorActionContext,
  ConnectorActionExample,
  ConnectorCheckContext,
} from './ports/connector-v1'
export type { AgentV1, AgentRunContext } from './ports/agent-v1'
export {
  secretRef,
  isSecretRef,
  secretSchemaKeyword,
  type SecretsProviderV1,
  type SecretRef,
  type WithSecretsResolved,
  type PayloadCodecV1,
} from './ports/secrets-provider-v1'
export {
  resolveConfigSecrets,
  type ResolveConfigSecretsOptions,
  type ResolvedConfigSecrets,
  type SecretRedaction,
} from './runtime/resolve-config-secrets'
export type {
  TriggerV1,
  TriggerContext,
  TriggerSubscription,
  TriggerStartOptions,
  TriggerStartResult,
} from './ports/trigger-v1'

// Reference adapters
export { createMemoryStore, type MemoryStoreOptions } from './memory/memory-store'
export { createInProcessQueue, type InProcessQueueOptions } from './memory/in-process-queue'

// Telemetry
export { pinoLogger, type PinoLike } from './telemetry/pino-logger'
export { consoleLogger } from './telemetry/console-logger'
export { noopLogger } from './telemetry/noop-logger'

// Errors
export {
  TesseraError,
  InvalidArgumentError,
  ValidationError,
  StepFailedError,
  StepTimeoutError,
  WaitTimeoutError,
  RunCancelledError,
  NonRetryableError,
  NotFoundError,
  ConflictError,
  DefinitionError,
  ControlFlowError,
  StoreError,
  ConnectorError,
  ConnectorConfigError,
  EngineClosedError,
  ModelCallError,
  UnknownModelError,
  PromptTooLongError,
  UnsupportedSchemaError,
  StructuredOutputError,
  FallbackExhaustedError,
  RevivedError,
  errorCodes,
  httpStatusForError,
  problemDetails,
  problemResponse,
  serializeError,
  deserializeError,
  type TesseraErrorOptions,
  type SerializedError,
  type ValidationIssue,
  type DefinitionIssue,
  type NotFoundKind,
  type ErrorCode,
  type ProblemDetails,
  type ModelCallFailure,
  type FallbackAttempt,
  type ConnectorFailureReason,
  type ConnectorConfigIssue,
  type ConnectorConfigIssueReason,
} from './errors/index'
