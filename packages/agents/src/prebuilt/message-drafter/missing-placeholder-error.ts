import { TesseraError } from '@tessera/core'

/**
 * A message template has `{{placeholders}}` that were given no value. The message names the
 * template and every missing placeholder; no model was called.
 *
 * @example
 * ```ts
 * const error = await drafter.generate({ template: 'shipped', values: {} }).catch((e) => e)
 * if (MissingPlaceholderError.isInstance(error)) console.log(error.placeholders) // ['name', 'orderId']
 * ```
 */
export class MissingPlaceholderError extends TesseraError {
  /** The template's name (its key in `templates`), or `template` for a bare string. */
  readonly templateName: string
  /** The placeholders without a value, in order of appearance. */
  readonly placeholders: readonly string[]

  constructor(options: {
    templateName: string
    placeholders: readonly string[]
    given: readonly string[]
  }) {
    const names = options.placeholders.map((name) => `{{${name}}}`).join(', ')
    super(
      'template_placeholder_missing',
      `Template "${options.templateName}" needs a value for ${names}; values had ${
        options.given.length === 0 ? 'none' : options.given.map((name) => `"${name}"`).join(', ')
      }`,
      { retryable: false },
    )
    this.name = 'MissingPlaceholderError'
    this.templateName = options.templateName
    this.placeholders = options.placeholders
  }

  /** True for a {@link MissingPlaceholderError}, even one from another copy of the package. */
  static override isInstance(value: unknown): value is MissingPlaceholderError {
    return TesseraError.isInstance(value) && value.code === 'template_placeholder_missing'
  }

  override details() {
    return { templateName: this.templateName, placeholders: [...this.placeholders] }
  }
}
