/**
 * The contracts of the HTTP surface (`@tessera/core/http`): who is calling (authentication),
 * what they may do (authorisation, masking) and what they did (audit). The handler
 * (`createHttpHandler`) only talks to these interfaces; the built-ins (`apiKeyAuth`, `jwtAuth`,
 * `createAccessControl`, `createAuditTrail`) implement them, and a host may bring its own.
 */

/**
 * A permission: `resource:action`. The built-in routes check these; hosts may add their own.
 * `*` in a role's permission list matches anything (`run:*` every run action, `*` everything).
 */
export type Permission =
  | 'workflow:read'
  | 'workflow:run'
  | 'workflow:edit'
  | 'run:read'
  | 'run:cancel'
  | 'run:retry'
  | 'run:approve'
  | 'event:send'
  | 'definition:read'
  | 'definition:edit'
  | 'definition:publish'
  | 'registry:read'
  | 'audit:read'
  | 'apikey:manage'
  | (string & {})

/** Who is calling, as an authenticator established it. */
export interface Principal {
  /** Stable id of the caller (`user:42`, `apikey:k_3f…`, the JWT `sub`). */
  id: string
  /** How it was established: `api-key`, `jwt`, or a custom authenticator's name. */
  method: string
  /** Role names, resolved to permissions by the access control. */
  roles: readonly string[]
  /**
   * If set, the caller may do at most this (an API key's scopes, a token's `scope`): the
   * effective permissions are the roles' permissions intersected with these.
   */
  scopes?: readonly Permission[]
  /**
   * If set, the caller may act only on resources of these workflows (ids or `*` globs, such as
   * an API key's `workflows`); resources of other workflows are refused whatever the roles say.
   */
  workflows?: readonly string[]
  /** Display name for audit records and approvals (`by`). */
  name?: string
  /** Anything else the authenticator knows (JWT claims, API key id). Never written to responses. */
  attributes?: Readonly<Record<string, unknown>>
}

/** What the handler knows about a request when it authenticates, authorises and audits it. */
export interface RequestContext {
  /**
   * The request as a Fetch `Request`; with the raw entry (the Node adapters) it is built on
   * first read. Prefer {@link RequestContext.header} when it is there.
   */
  request: Request
  /**
   * A request header (case-insensitive), `undefined` when absent, without building `request`.
   * Always set by the handler; a context built by hand (a test) may leave it out, so read
   * headers with `context.header?.(name) ?? context.request.headers.get(name) ?? undefined`.
   */
  header?(name: string): string | undefined
  /** The route's id, such as `runs.start` (see the OpenAPI document's operationIds). */
  routeId: string
  /** The client's address as the adapter reported it (`x-forwarded-for` only if trusted). */
  ip?: string
  /** `x-request-id` of the request, or one the handler generated; echoed in the response. */
  requestId: string
}

/**
 * Authenticates a request. Resolves to the principal, to `undefined` when the request carries
 * no credentials this authenticator understands (the next one is asked), and throws
 * `UnauthenticatedError` when it carries credentials that are wrong (expired, revoked, bad
 * signature): the request is refused at once with 401.
 */
export interface Authenticator {
  readonly name: string
  authenticate(context: RequestContext): Promise<Principal | undefined>
}

/** The thing a permission is checked on. */
export interface ResourceRef {
  /** `run`, `workflow`, `definition`, `event`, `audit`, `api-key`, `registry`, `system`. */
  type: string
  id?: string
  /** The workflow the resource belongs to, for per-workflow grants. */
  workflowId?: string
}

/** Decides what a principal may do, and what of a run it may see. */
export interface AccessControl {
  /** True when `principal` holds `permission` on `resource` (roles, grants and scopes). */
  can(principal: Principal, permission: Permission, resource: ResourceRef): boolean
  /**
   * The run data `principal` may see: values at masked paths replaced by `"[masked]"`. `part`
   * says which part of a run `value` is (its input, its output, or a step's output).
   */
  mask(
    principal: Principal,
    value: unknown,
    where: { workflowId: string; part: 'input' | 'output' | 'step-output' | 'event' },
  ): unknown
}

/** One state-changing call, as the handler reports it to the audit trail. */
export interface AuditEntry {
  /** `run.start`, `run.cancel`, `run.retry`, `run.approve`, `run.reject`, `event.send`,
   * `definition.create`, `definition.update`, `definition.publish`, `definition.delete`,
   * `webhook.start`, `api-key.create`, `api-key.revoke`, or a host's own. */
  action: string
  actor: { id: string; method: string; name?: string }
  resource: ResourceRef
  /** Whether the call succeeded, and its HTTP status. */
  outcome: { ok: boolean; status: number; code?: string }
  /** What changed: the request body as validated (masked like run data), or a diff. */
  change?: unknown
  ip?: string
  userAgent?: string
  requestId: string
  /** Epoch ms. */
  at: number
}

/** An audit entry as stored: numbered and hash-chained. */
export interface AuditRecord extends AuditEntry {
  /** 1, 2, 3, … with no gap. */
  seq: number
  /** `hash` of the record before (seq − 1); 64 zeros for the first. */
  prevHash: string
  /** SHA-256 (hex) of the record's canonical JSON without `hash`. */
  hash: string
}

/** Filters of {@link AuditTrail.query}. Oldest first; `after` is the last `seq` seen. */
export interface AuditQuery {
  actorId?: string
  action?: string
  resourceType?: string
  resourceId?: string
  workflowId?: string
  since?: number
  until?: number
  after?: number
  limit?: number
}

/** The append-only, hash-chained audit trail. */
export interface AuditTrail {
  append(entry: AuditEntry): Promise<AuditRecord>
  query(query?: AuditQuery): Promise<{ records: AuditRecord[]; nextAfter?: number }>
  /**
   * Recomputes the chain: `ok`, or the first record whose hash or link does not match (a
   * record changed, removed or inserted). The built-in trail also holds its query index against
   * the chain: a copy changed, forged or misfiled, or removed below the index mark, is reported
   * at its record's seq.
   */
  verify(): Promise<{ ok: true; records: number } | { ok: false; brokenAt: number; reason: string }>
}
