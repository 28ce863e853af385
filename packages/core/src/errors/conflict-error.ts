import { TesseraError } from './tessera-error'

/**
 * The operation conflicts with current state: a duplicate registration, an id used by two
 * different things, or an action on a run in the wrong status.
 *
 * @example
 * ```ts
 * definePlugin({ name: 'a', steps: [fetchOrder, fetchOrder] }) // throws ConflictError
 * ```
 */
export class ConflictError extends TesseraError {
  constructor(message: string) {
    super('conflict', message)
    this.name = 'ConflictError'
  }
  static override isInstance(value: unknown): value is ConflictError {
    return TesseraError.isInstance(value) && value.code === 'conflict'
  }
}
