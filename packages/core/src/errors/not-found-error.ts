import { TesseraError } from './tessera-error'

/** What kind of thing was looked up. */
export type NotFoundKind =
  | 'run'
  | 'workflow'
  | 'step'
  | 'function'
  | 'agent'
  | 'connector'
  | 'plugin'
  | 'definition'
  | 'definition-version'
  | 'webhook'
  | 'api-key'

/**
 * A lookup by id found nothing: a run, a workflow, a registered step, agent or connector.
 * The message lists what is known when that helps.
 *
 * @example
 * ```ts
 * await engine.getRun('missing') // throws NotFoundError: No run with id "missing"
 * ```
 */
export class NotFoundError extends TesseraError {
  readonly kind: NotFoundKind
  readonly id: string
  constructor(options: { kind: NotFoundKind; id: string; known?: string[] }) {
    const hint =
      options.known && options.known.length > 0
        ? `; known: ${options.known
            .slice(0, 10)
            .map((k) => `"${k}"`)
            .join(', ')}${options.known.length > 10 ? ', …' : ''}`
        : ''
    super('not_found', `No ${options.kind} with id "${options.id}"${hint}`)
    this.name = 'NotFoundError'
    this.kind = options.kind
    this.id = options.id
  }
  static override isInstance(value: unknown): value is NotFoundError {
    return TesseraError.isInstance(value) && value.code === 'not_found'
  }
  override details() {
    return { kind: this.kind, id: this.id }
  }
}
