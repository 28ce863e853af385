import { InvalidArgumentError } from '@tessera/core'

/** One choice of a classifier or router: its name, and what it means (the model reads it). */
export interface LabelOption<TName extends string = string> {
  name: TName
  description: string
}

/**
 * Choices as a list (`[{ name: 'billing', description: 'Invoices, refunds' }]`, order kept) or a
 * record (`{ billing: 'Invoices, refunds' }`).
 */
export type LabelListSetting<TName extends string = string> =
  readonly LabelOption<TName>[] | Readonly<Record<TName, string>>

const namePattern = /^[A-Za-z0-9][A-Za-z0-9 _.:/-]{0,99}$/

/**
 * Checks and normalises a list of choices: non-empty, unique names (letters, digits, spaces,
 * `_ . : / -`, up to 100 characters), each with a description.
 *
 * @example
 * ```ts
 * toLabelList({ billing: 'Invoices', shipping: 'Parcels' }, 'createClassifierAgent', 'labels')
 * // [{ name: 'billing', description: 'Invoices' }, { name: 'shipping', description: 'Parcels' }]
 * ```
 */
export function toLabelList<TName extends string>(
  setting: LabelListSetting<TName>,
  fn: string,
  argument: string,
): LabelOption<TName>[] {
  const invalid = (where: string, expected: string, received: unknown) =>
    new InvalidArgumentError({ fn, argument: where, expected, received })
  if (typeof setting !== 'object' || setting === null) {
    throw invalid(
      argument,
      'a non-empty list of { name, description } or a record name → description',
      setting,
    )
  }
  const list: LabelOption<TName>[] = Array.isArray(setting)
    ? [...(setting as readonly LabelOption<TName>[])]
    : Object.entries(setting as Record<TName, string>).map(([name, description]) => ({
        name: name as TName,
        description: description as string,
      }))
  if (list.length === 0) {
    throw invalid(argument, 'at least one choice', setting)
  }
  const seen = new Set<string>()
  list.forEach((option, index) => {
    const where = Array.isArray(setting)
      ? `${argument}[${index}]`
      : `${argument}.${String(option?.name)}`
    if (typeof option !== 'object' || option === null) {
      throw invalid(where, 'an object { name, description }', option)
    }
    if (typeof option.name !== 'string' || !namePattern.test(option.name)) {
      throw invalid(
        `${where}.name`,
        'a name of letters, digits, spaces, "_", ".", ":", "/" or "-" (at most 100)',
        option.name,
      )
    }
    if (seen.has(option.name)) throw invalid(`${where}.name`, 'a name used once', option.name)
    seen.add(option.name)
    if (typeof option.description !== 'string' || option.description.trim() === '') {
      throw invalid(
        `${where}.description`,
        'a non-empty description the model can read',
        option.description,
      )
    }
  })
  return list.map((option) => ({ name: option.name, description: option.description.trim() }))
}

/**
 * The choices as prompt lines: `- "billing": Invoices, refunds`.
 *
 * @example
 * ```ts
 * describeLabels([{ name: 'billing', description: 'Invoices' }]) // '- "billing": Invoices'
 * ```
 */
export function describeLabels(list: readonly LabelOption[]): string {
  return list.map((option) => `- "${option.name}": ${option.description}`).join('\n')
}
