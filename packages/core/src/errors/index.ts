export { TesseraError, type TesseraErrorOptions, type SerializedError } from './tessera-error'
export { InvalidArgumentError, describeValue } from './invalid-argument-error'
export { ValidationError, type ValidationIssue } from './validation-error'
export { StepFailedError } from './step-failed-error'
export { StepTimeoutError } from './step-timeout-error'
export { WaitTimeoutError } from './wait-timeout-error'
export { RunCancelledError } from './run-cancelled-error'
export { NonRetryableError } from './non-retryable-error'
export { NotFoundError, type NotFoundKind } from './not-found-error'
export { ConflictError } from './conflict-error'
export { UnauthenticatedError } from './unauthenticated-error'
export { ForbiddenError, type ForbiddenResource } from './forbidden-error'
export { RateLimitedError } from './rate-limited-error'
export { DefinitionError, type DefinitionIssue } from './definition-error'
export { ControlFlowError } from './control-flow-error'
export { StoreError } from './store-error'
export { ConnectorError, type ConnectorFailureReason } from './connector-error'
export {
  ConnectorConfigError,
  type ConnectorConfigIssue,
  type ConnectorConfigIssueReason,
} from './connector-config-error'
export { SecretsError, type SecretsFailureReason } from './secrets-error'
export { EngineClosedError } from './engine-closed-error'
export { ModelCallError, type ModelCallFailure } from './model-call-error'
export { UnknownModelError } from './unknown-model-error'
export { PromptTooLongError } from './prompt-too-long-error'
export { UnsupportedSchemaError } from './unsupported-schema-error'
export { StructuredOutputError } from './structured-output-error'
export { FallbackExhaustedError, type FallbackAttempt } from './fallback-exhausted-error'
export {
  errorCodes,
  httpStatusForError,
  serializeError,
  deserializeError,
  RevivedError,
  type ErrorCode,
} from './error-json'
export { problemDetails, problemResponse, type ProblemDetails } from './problem-response'
