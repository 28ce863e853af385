import type { Permission } from '../types'

/**
 * True when a role's or scope's permission pattern covers `permission`: `*` covers everything,
 * `run:*` every action on runs, anything else only itself.
 *
 * @example
 * ```ts
 * permissionMatches('run:*', 'run:cancel') // true
 * permissionMatches('run:*', 'workflow:run') // false
 * ```
 */
export function permissionMatches(pattern: Permission, permission: Permission): boolean {
  if (pattern === '*' || pattern === permission) return true
  if (pattern.endsWith(':*')) {
    const resource = pattern.slice(0, -1) // 'run:'
    return permission.startsWith(resource) && permission.length > resource.length
  }
  return false
}

/**
 * True when a workflow id matches a glob: `*` stands for any run of characters (none included),
 * everything else is literal (`order-*`, `*-v2`, `billing-*-eu`). This is all the grants need,
 * so no glob library is pulled into `@tessera/core/http`.
 *
 * @example
 * ```ts
 * workflowMatches('order-*', 'order-refund') // true
 * workflowMatches('order-*', 'orders') // false
 * ```
 */
export function workflowMatches(pattern: string, workflowId: string): boolean {
  if (pattern === '*') return true
  if (!pattern.includes('*')) return pattern === workflowId
  const parts = pattern.split('*')
  const first = parts[0]!
  const last = parts[parts.length - 1]!
  if (workflowId.length < first.length + last.length) return false
  if (!workflowId.startsWith(first) || !workflowId.endsWith(last)) return false
  let position = first.length
  const end = workflowId.length - last.length
  for (const middle of parts.slice(1, -1)) {
    const found = workflowId.indexOf(middle, position)
    if (found < 0 || found + middle.length > end) return false
    position = found + middle.length
  }
  return true
}
