import { InvalidArgumentError } from '@tessera/core'
import { MissingPlaceholderError } from './missing-placeholder-error'

/** A value for a `{{placeholder}}`. */
export type TemplateValue = string | number | boolean

/** A filled template. */
export interface FilledTemplate {
  text: string
  /** The placeholders that were filled, each once, in order of appearance. */
  placeholdersFilled: string[]
}

const placeholderPattern = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]{0,63})\s*\}\}/g

/**
 * The placeholders of a template, each once, in order of appearance: `{{name}}` or
 * `{{ name }}`, names of letters, digits, `_`, `.` and `-`.
 *
 * @example
 * ```ts
 * placeholdersOf('Hi {{name}}, order {{ orderId }} ships {{when}}') // ['name', 'orderId', 'when']
 * ```
 */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(placeholderPattern)].map((match) => match[1]!))]
}

/**
 * Fills a template's `{{placeholders}}` from `values`. Every placeholder needs a value: the
 * missing ones fail together with {@link MissingPlaceholderError}, naming the template. Values
 * that are not placeholders of the template are ignored.
 *
 * @example
 * ```ts
 * fillTemplate('Hi {{name}}, order {{orderId}} has shipped.', { name: 'Ada', orderId: 'A-17' })
 * // { text: 'Hi Ada, order A-17 has shipped.', placeholdersFilled: ['name', 'orderId'] }
 * ```
 */
export function fillTemplate(
  template: string,
  values: Readonly<Record<string, TemplateValue>>,
  templateName = 'template',
): FilledTemplate {
  if (typeof template !== 'string') {
    throw new InvalidArgumentError({
      fn: 'fillTemplate',
      argument: 'template',
      expected: 'a string',
      received: template,
    })
  }
  if (typeof values !== 'object' || values === null) {
    throw new InvalidArgumentError({
      fn: 'fillTemplate',
      argument: 'values',
      expected: 'a record of placeholder → string, number or boolean',
      received: values,
    })
  }
  const placeholders = placeholdersOf(template)
  const missing = placeholders.filter((name) => {
    const value = Object.hasOwn(values, name) ? values[name] : undefined
    return typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean'
  })
  if (missing.length > 0) {
    throw new MissingPlaceholderError({
      templateName,
      placeholders: missing,
      given: Object.keys(values),
    })
  }
  const text = template.replace(placeholderPattern, (_match, name: string) => String(values[name]))
  return { text, placeholdersFilled: placeholders }
}
