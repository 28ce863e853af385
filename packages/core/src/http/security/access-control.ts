import { InvalidArgumentError } from '../../errors/invalid-argument-error'
import type { AccessControl, Permission, Principal, ResourceRef } from '../types'
import { maskSegments, parseMaskPath } from './mask-paths'
import { permissionMatches, workflowMatches } from './patterns'

/** A role declared with options: its permissions, optionally only on some workflows. */
export interface RoleDefinition {
  permissions: readonly Permission[]
  /**
   * Makes the role workflow-scoped: its permissions hold only on resources of these workflows
   * (ids or `*` globs such as `order-*`), never on resources without a workflow.
   */
  workflows?: readonly string[]
}

/** Extra permissions on some workflows, for holders of a role, for one principal, or both. */
export interface AccessGrant {
  /** Applies to principals with this role. */
  role?: string
  /** Applies to the principal with this id. With `role` too, both must match. */
  principal?: string
  /** Workflow ids or `*` globs (`order-*`). */
  workflows: readonly string[]
  permissions: readonly Permission[]
}

/** Which part of a run a masked value is. */
export type MaskPart = 'input' | 'output' | 'step-output' | 'event'

/** Field-level masking of run data for principals without the `reveal` permission. */
export interface FieldMask {
  /** Workflow ids or `*` globs; every workflow when absent. */
  workflows?: readonly string[]
  part: MaskPart | readonly MaskPart[]
  /** Dot paths; `*` is every key or array item (`customer.email`, `items.*.price`). */
  paths: readonly string[]
  /** Who holds this permission on the run's workflow sees the values. */
  reveal: Permission
}

/** Settings of {@link createAccessControl}. */
export interface AccessControlOptions {
  /** Role name → permissions (`*`, `run:*` wildcards), or a {@link RoleDefinition}. */
  roles: Readonly<Record<string, readonly Permission[] | RoleDefinition>>
  grants?: readonly AccessGrant[]
  masks?: readonly FieldMask[]
}

/** The access control made by {@link createAccessControl}. */
export interface RoleAccessControl extends AccessControl {
  /**
   * True when `principal` holds `permission` globally or on at least one workflow: what a
   * listing route checks before filtering the items with {@link AccessControl.can}.
   */
  canOnSomeWorkflow(principal: Principal, permission: Permission): boolean
}

/**
 * The built-in roles. `admin` may do everything; `editor` edits and publishes definitions;
 * `operator` runs workflows and acts on runs; `approver` reads runs and decides approvals;
 * `viewer` reads.
 *
 * @example
 * ```ts
 * const access = createAccessControl({ roles: { ...defaultRoles, auditor: ['audit:read'] } })
 * ```
 */
export const defaultRoles = {
  admin: ['*'],
  editor: ['definition:*', 'workflow:read', 'registry:read', 'run:read'],
  operator: ['workflow:run', 'workflow:read', 'run:*', 'event:send', 'registry:read'],
  approver: ['run:read', 'run:approve'],
  viewer: ['run:read', 'workflow:read', 'registry:read', 'definition:read'],
} as const satisfies Record<string, readonly Permission[]>

interface CompiledRole {
  permissions: readonly Permission[]
  workflows: readonly string[] | undefined
}

interface CompiledMask {
  workflows: readonly string[] | undefined
  parts: readonly MaskPart[]
  paths: readonly (readonly string[])[]
  reveal: Permission
}

const maskParts: readonly MaskPart[] = ['input', 'output', 'step-output', 'event']

/**
 * Role-based access control with per-workflow grants, scopes and field masks. A principal holds
 * a permission on a resource when one of its roles has it (a workflow-scoped role only on its
 * workflows), or a grant for its role or id gives it on the resource's workflow; and, if the
 * principal has `scopes` (an API key's, a token's), one of them covers it too; and, if it has
 * `workflows`, the resource's workflow matches one. Unknown role names give nothing.
 *
 * @example
 * ```ts
 * const access = createAccessControl({
 *   roles: { ...defaultRoles, 'order-desk': { permissions: ['run:*'], workflows: ['order-*'] } },
 *   grants: [{ principal: 'user:ann', workflows: ['refund'], permissions: ['run:approve'] }],
 *   masks: [{ part: 'input', paths: ['customer.email', 'items.*.price'], reveal: 'pii:read' }],
 * })
 * access.can(principal, 'run:cancel', { type: 'run', id: 'r1', workflowId: 'order-eu' })
 * access.mask(principal, run.input, { workflowId: run.workflowId, part: 'input' })
 * ```
 */
export function createAccessControl(options: AccessControlOptions): RoleAccessControl {
  const fn = 'createAccessControl'
  if (typeof options?.roles !== 'object' || options.roles === null) {
    throw new InvalidArgumentError({
      fn,
      argument: 'options.roles',
      expected: 'an object of role name → permissions',
      received: options?.roles,
    })
  }
  const roles = new Map<string, CompiledRole>()
  for (const [name, role] of Object.entries(options.roles)) {
    const where = `${fn}.roles.${name}`
    const definition: RoleDefinition = Array.isArray(role)
      ? { permissions: role }
      : (role as RoleDefinition)
    roles.set(name, {
      permissions: checkPermissions(definition?.permissions, `${where}.permissions`),
      workflows:
        definition.workflows === undefined
          ? undefined
          : checkWorkflows(definition.workflows, `${where}.workflows`),
    })
  }
  const grants = (options.grants ?? []).map((grant, index) => {
    const where = `${fn}.grants[${index}]`
    if (grant.role === undefined && grant.principal === undefined) {
      throw new InvalidArgumentError({
        fn,
        argument: where,
        expected: 'a grant with `role`, `principal` or both',
        received: grant,
      })
    }
    return {
      role: grant.role,
      principal: grant.principal,
      workflows: checkWorkflows(grant.workflows, `${where}.workflows`),
      permissions: checkPermissions(grant.permissions, `${where}.permissions`),
    }
  })
  const masks: CompiledMask[] = (options.masks ?? []).map((mask, index) => {
    const where = `${fn}.masks[${index}]`
    const parts: readonly MaskPart[] = typeof mask.part === 'string' ? [mask.part] : mask.part
    if (
      !Array.isArray(parts) ||
      parts.length === 0 ||
      parts.some((part) => !maskParts.includes(part))
    ) {
      throw new InvalidArgumentError({
        fn,
        argument: `${where}.part`,
        expected: `one of ${maskParts.map((part) => `'${part}'`).join(', ')} (or an array of them)`,
        received: mask.part,
      })
    }
    if (!Array.isArray(mask.paths) || mask.paths.length === 0) {
      throw new InvalidArgumentError({
        fn,
        argument: `${where}.paths`,
        expected: 'a non-empty array of dot paths',
        received: mask.paths,
      })
    }
    return {
      workflows:
        mask.workflows === undefined
          ? undefined
          : checkWorkflows(mask.workflows, `${where}.workflows`),
      parts,
      paths: mask.paths.map((path, position) => parseMaskPath(path, `${where}.paths[${position}]`)),
      reveal: checkPermissions([mask.reveal], `${where}.reveal`)[0]!,
    }
  })

  const inScope = (principal: Principal, permission: Permission, workflowId: string | undefined) =>
    (principal.scopes === undefined ||
      principal.scopes.some((scope) => permissionMatches(scope, permission))) &&
    (principal.workflows === undefined ||
      workflowId === undefined ||
      principal.workflows.some((pattern) => workflowMatches(pattern, workflowId)))

  const grantsOf = (principal: Principal) =>
    grants.filter(
      (grant) =>
        (grant.role === undefined || principal.roles.includes(grant.role)) &&
        (grant.principal === undefined || grant.principal === principal.id),
    )

  const can = (principal: Principal, permission: Permission, resource: ResourceRef): boolean => {
    const workflowId = resource.workflowId
    if (!inScope(principal, permission, workflowId)) return false
    for (const name of principal.roles) {
      const role = roles.get(name)
      if (!role || !role.permissions.some((pattern) => permissionMatches(pattern, permission))) {
        continue
      }
      if (role.workflows === undefined) return true
      if (workflowId !== undefined && role.workflows.some((p) => workflowMatches(p, workflowId))) {
        return true
      }
    }
    if (workflowId === undefined) return false
    return grantsOf(principal).some(
      (grant) =>
        grant.permissions.some((pattern) => permissionMatches(pattern, permission)) &&
        grant.workflows.some((pattern) => workflowMatches(pattern, workflowId)),
    )
  }

  return {
    can,
    canOnSomeWorkflow(principal, permission) {
      if (!inScope(principal, permission, undefined)) return false
      const holds = (permissions: readonly Permission[]) =>
        permissions.some((pattern) => permissionMatches(pattern, permission))
      return (
        principal.roles.some((name) => {
          const role = roles.get(name)
          return role !== undefined && holds(role.permissions)
        }) || grantsOf(principal).some((grant) => holds(grant.permissions))
      )
    },
    mask(principal, value, where) {
      if (masks.length === 0) return value
      const paths: (readonly string[])[] = []
      for (const mask of masks) {
        if (!mask.parts.includes(where.part)) continue
        if (mask.workflows && !mask.workflows.some((p) => workflowMatches(p, where.workflowId))) {
          continue
        }
        if (can(principal, mask.reveal, { type: 'run', workflowId: where.workflowId })) continue
        paths.push(...mask.paths)
      }
      return paths.length === 0 ? value : maskSegments(value, paths)
    },
  }
}

const permissionPattern = /^(\*|[\w.-]+:(\*|[\w.-]+))$/

function checkPermissions(value: unknown, where: string): readonly Permission[] {
  const invalid = (item: unknown) => typeof item !== 'string' || !permissionPattern.test(item)
  if (!Array.isArray(value) || value.some(invalid)) {
    throw new InvalidArgumentError({
      fn: 'createAccessControl',
      argument: where,
      expected: "an array of permissions such as 'run:read', 'run:*' or '*'",
      received: Array.isArray(value) ? value.find(invalid) : value,
    })
  }
  return [...value] as Permission[]
}

function checkWorkflows(value: unknown, where: string): readonly string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) {
    throw new InvalidArgumentError({
      fn: 'createAccessControl',
      argument: where,
      expected: "an array of workflow ids or globs such as 'order-*'",
      received: value,
    })
  }
  return [...value] as string[]
}
