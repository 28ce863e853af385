import { TesseraError } from './tessera-error'

/** The thing a {@link ForbiddenError} refused access to (the HTTP surface's `ResourceRef`). */
export interface ForbiddenResource {
  type: string
  id?: string
  workflowId?: string
}

/**
 * An authenticated caller lacks the permission an operation needs. The message names the
 * principal, the permission and the resource, never what the caller does hold.
 *
 * @example
 * ```ts
 * throw new ForbiddenError({ principalId: 'user:7', permission: 'run:cancel', resource: { type: 'run', id: 'r1', workflowId: 'orders' } })
 * // Principal "user:7" lacks permission "run:cancel" on run "r1" (workflow "orders")
 * ```
 */
export class ForbiddenError extends TesseraError {
  readonly permission: string
  readonly resource: ForbiddenResource
  readonly principalId: string | undefined
  constructor(options: { permission: string; resource: ForbiddenResource; principalId?: string }) {
    const { permission, resource, principalId } = options
    const who = principalId === undefined ? 'The caller' : `Principal "${principalId}"`
    const what = `${resource.type}${resource.id === undefined ? '' : ` "${resource.id}"`}`
    const workflow =
      resource.workflowId === undefined ||
      (resource.type === 'workflow' && resource.id === resource.workflowId)
        ? ''
        : ` (workflow "${resource.workflowId}")`
    super('forbidden', `${who} lacks permission "${permission}" on ${what}${workflow}`)
    this.name = 'ForbiddenError'
    this.permission = permission
    this.resource = { ...resource }
    this.principalId = principalId
  }
  static override isInstance(value: unknown): value is ForbiddenError {
    return TesseraError.isInstance(value) && value.code === 'forbidden'
  }
  override details() {
    return {
      permission: this.permission,
      resource: this.resource,
      ...(this.principalId === undefined ? {} : { principalId: this.principalId }),
    }
  }
}
