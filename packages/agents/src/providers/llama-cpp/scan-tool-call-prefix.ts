/** What the start of an answer says about a tool call `{"name": …, "input": …}`. */
export type ToolCallPrefix =
  /** Too short to tell. */
  | { state: 'wait' }
  /** Not a tool call (another JSON value, or text). */
  | { state: 'no' }
  /** A call of `name`; its input starts at `inputStart`. */
  | { state: 'match'; name: string; inputStart: number }

const whitespace = /\s/

/**
 * Reads the start of an answer as far as it goes and tells whether it opens a tool call in the
 * form the grammar makes the model write: `{"name": "<tool>", "input": <input>}` (any whitespace
 * between the tokens). A call is recognised as soon as `"input":` is read, so that its input can
 * stream; an answer that departs from the form, or names a tool not in `toolNames`, is not one.
 *
 * @example
 * ```ts
 * scanToolCallPrefix('{"name": "get_weather", "input": {"ci', new Set(['get_weather']))
 * // { state: 'match', name: 'get_weather', inputStart: 33 }
 * scanToolCallPrefix('Sunny', new Set(['get_weather'])) // { state: 'no' }
 * ```
 */
export function scanToolCallPrefix(text: string, toolNames: ReadonlySet<string>): ToolCallPrefix {
  let index = 0
  let name = ''
  const skipWhitespace = () => {
    while (index < text.length && whitespace.test(text[index] as string)) index++
  }
  /** Reads a literal character: true when found, undefined when the text ends first. */
  const expect = (character: string): boolean | undefined => {
    skipWhitespace()
    if (index >= text.length) return undefined
    if (text[index] !== character) return false
    index++
    return true
  }
  /** Reads a JSON string: its value, undefined when the text ends first, false if none. */
  const readString = (): string | false | undefined => {
    const opened = expect('"')
    if (opened !== true) return opened
    const start = index - 1
    while (index < text.length) {
      const character = text[index]
      if (character === '\\') index += 2
      else if (character === '"') {
        index++
        try {
          return JSON.parse(text.slice(start, index)) as string
        } catch {
          return false
        }
      } else index++
    }
    return undefined
  }

  const steps: (() => boolean | undefined)[] = [
    () => expect('{'),
    () => check(readString(), (key) => key === 'name'),
    () => expect(':'),
    () =>
      check(readString(), (value) => {
        name = value
        return toolNames.has(value)
      }),
    () => expect(','),
    () => check(readString(), (key) => key === 'input'),
    () => expect(':'),
  ]
  for (const step of steps) {
    const result = step()
    if (result === undefined) return { state: 'wait' }
    if (result === false) return { state: 'no' }
  }
  skipWhitespace()
  return { state: 'match', name, inputStart: index }
}

function check(
  value: string | false | undefined,
  accept: (value: string) => boolean,
): boolean | undefined {
  if (value === undefined || value === false) return value
  return accept(value)
}
