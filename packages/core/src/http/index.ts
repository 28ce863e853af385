// @tessera/core/http: the HTTP surface of an engine over Web Fetch Request/Response, plus a
// raw entry for adapters (`handler.handle`). Web APIs only (no node: imports); routing and
// middleware are our own (route-table.ts, response-headers.ts); runtime dependency jose (JWT).
export { createHttpHandler, httpRoutes, type HttpHandler } from './create-http-handler'
export type { HttpRawRequest, HttpRawReply, HttpRawHeaders, HttpRawBody } from './raw-request'
export type { HttpHandlerOptions, WebhookOptions } from './http-handler-options'
export type {
  RouteDefinition,
  RouteContext,
  RouteResult,
  RouteResponse,
  RouteServices,
  HttpMethod,
} from './route'
export { createOpenApiDocument } from './openapi'
export {
  parseRunStreamCursor,
  runStreamEvents,
  unseenRunStreamEvents,
  type RunStreamCursor,
  type RunStreamEvent,
} from './run-stream'
export { signWebhook, verifyWebhookSignature } from './webhook-signature'
export {
  createDefinitionRepository,
  registerPublishedDefinitions,
  type DefinitionRepository,
  type DefinitionHead,
  type DefinitionVersion,
  type DefinitionWorkflowVersion,
  type PublishedDefinitionEntry,
  type RegisterPublishedOptions,
} from '../definition/definition-repository'
export type { ProblemFieldError } from './problem'
export type {
  Permission,
  Principal,
  RequestContext,
  Authenticator,
  ResourceRef,
  AccessControl,
  AuditEntry,
  AuditRecord,
  AuditQuery,
  AuditTrail,
} from './types'
export {
  UnauthenticatedError,
  ForbiddenError,
  type ForbiddenResource,
  RateLimitedError,
  createApiKeys,
  parseApiKeyToken,
  apiKeysCollection,
  type ApiKey,
  type ApiKeys,
  type ApiKeysOptions,
  type CreateApiKeyInput,
  type StoredApiKey,
  apiKeyAuth,
  type ApiKeyAuthOptions,
  jwtAuth,
  type JwtAuthOptions,
  createAccessControl,
  defaultRoles,
  type AccessControlOptions,
  type AccessGrant,
  type FieldMask,
  type MaskPart,
  type RoleAccessControl,
  type RoleDefinition,
  maskPaths,
  MASKED,
  permissionMatches,
  workflowMatches,
  createAuditTrail,
  auditRecordHash,
  auditCollection,
  auditIndexCollection,
  genesisHash,
  type AuditTrailOptions,
  sha256Hex,
  timingSafeEqual,
  createRateLimiter,
  type RateLimiter,
  type RateLimiterOptions,
  type RateLimitDecision,
} from './security/index'
export { AuthUnavailableError } from '../errors/auth-unavailable-error'
