// The security built-ins of @tessera/core/http: authentication, access control, audit, rate limits.
export { UnauthenticatedError } from '../../errors/unauthenticated-error'
export { ForbiddenError, type ForbiddenResource } from '../../errors/forbidden-error'
export { RateLimitedError } from '../../errors/rate-limited-error'
export {
  createApiKeys,
  parseApiKeyToken,
  apiKeysCollection,
  type ApiKey,
  type ApiKeys,
  type ApiKeysOptions,
  type CreateApiKeyInput,
  type StoredApiKey,
} from './api-keys'
export { apiKeyAuth, type ApiKeyAuthOptions } from './api-key-auth'
export { jwtAuth, type JwtAuthOptions } from './jwt-auth'
export {
  createAccessControl,
  defaultRoles,
  type AccessControlOptions,
  type AccessGrant,
  type FieldMask,
  type MaskPart,
  type RoleAccessControl,
  type RoleDefinition,
} from './access-control'
export { maskPaths, MASKED } from './mask-paths'
export { permissionMatches, workflowMatches } from './patterns'
export {
  createAuditTrail,
  auditRecordHash,
  auditCollection,
  auditIndexCollection,
  genesisHash,
  type AuditTrailOptions,
} from './audit-trail'
export { canonicalJson, sha256Hex, timingSafeEqual } from './hashing'
export {
  createRateLimiter,
  type RateLimiter,
  type RateLimiterOptions,
  type RateLimitDecision,
} from './rate-limiter'
