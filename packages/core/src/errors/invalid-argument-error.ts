import { TesseraError } from './tessera-error'

/**
 * A public function was called with an argument it cannot accept. The message names the
 * function, the argument and what was expected.
 *
 * @example
 * ```ts
 * createStep({ id: '', run }) // throws InvalidArgumentError: createStep: "id" must be a non-empty string, received ""
 * ```
 */
export class InvalidArgumentError extends TesseraError {
  readonly argument: string
  constructor(options: { fn: string; argument: string; expected: string; received: unknown }) {
    super(
      'invalid_argument',
      `${options.fn}: "${options.argument}" must be ${options.expected}, received ${describeValue(options.received)}`,
    )
    this.name = 'InvalidArgumentError'
    this.argument = options.argument
  }
  override details() {
    return { argument: this.argument }
  }
}

/** A short, safe description of any value for error messages.
 *
 * @example
 * ```ts
 * describeValue([1, 2]) // 'an array of 2'
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined'
  if (value === null) return 'null'
  if (typeof value === 'string')
    return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (typeof value === 'function') return 'a function'
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (typeof value === 'object') return 'an object'
  return typeof value
}
