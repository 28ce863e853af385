/**
 * An agent input as the model reads it: a string as it is, anything else as indented JSON.
 *
 * @example
 * ```ts
 * renderInput({ orderId: 7 }) // '{\n  "orderId": 7\n}'
 * ```
 */
export function renderInput(input: unknown): string {
  if (typeof input === 'string') return input
  return JSON.stringify(input, null, 2) ?? String(input)
}
