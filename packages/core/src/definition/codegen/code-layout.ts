/**
 * A small, deterministic layout engine for the code generator: a tree of code pieces printed the
 * way the repository's Prettier configuration prints them (2-space indent, 100 columns, single
 * quotes, no semicolons, trailing commas in broken lists). Not a general formatter: it knows the
 * few shapes generated code has (calls, member chains, object and array literals).
 */

/** A piece of generated code. */
export type Code =
  | { kind: 'text'; text: string }
  | { kind: 'concat'; parts: Code[] }
  | { kind: 'pair'; key: string; value: Code }
  | {
      kind: 'list'
      open: '{' | '[' | '('
      items: Code[]
      /** Break even when it fits (an object written expanded stays expanded in Prettier). */
      forceBreak?: boolean
    }
  /** `head` then `.name(args)` calls, one per line (on one line if `flatIfFits` and it fits). */
  | { kind: 'chain'; head: Code; links: Code[]; flatIfFits?: boolean }
  /** `params => body`. */
  | { kind: 'arrow'; params: string; body: Code }

const width = 100
const closing = { '{': '}', '[': ']', '(': ')' } as const

/** Text printed as is. */
export const text = (value: string): Code => ({ kind: 'text', text: value })
/** Pieces printed one after the other. */
export const concat = (...parts: Code[]): Code => ({ kind: 'concat', parts })
/** `key: value` in an object literal. */
export const pair = (key: string, value: Code): Code => ({ kind: 'pair', key, value })
/** An object literal. */
export const object = (items: Code[], forceBreak = false): Code => ({
  kind: 'list',
  open: '{',
  items,
  forceBreak,
})
/** An array literal. */
export const array = (items: Code[]): Code => ({
  kind: 'list',
  open: '[',
  items,
  forceBreak: conciselyNested(items),
})
/** `callee(arguments)`. */
export const call = (callee: string, ...args: Code[]): Code =>
  concat(text(callee), { kind: 'list', open: '(', items: args })
/** A member chain broken one call per line (kept on one line when `flatIfFits` and it fits). */
export const chain = (head: Code, links: Code[], flatIfFits = false): Code => ({
  kind: 'chain',
  head,
  links,
  flatIfFits,
})
/** An arrow function with an expression body. */
export const arrow = (params: string, body: Code): Code => ({ kind: 'arrow', params, body })

/** Prettier breaks an array of two or more arrays (or objects) that each have two or more items. */
function conciselyNested(items: Code[]): boolean {
  if (items.length < 2) return false
  const first = items[0]!
  return items.every(
    (item) =>
      item.kind === 'list' &&
      first.kind === 'list' &&
      item.open === first.open &&
      item.open !== '(' &&
      item.items.length > 1,
  )
}

/** The code on one line, or undefined when it must break. */
function flat(code: Code): string | undefined {
  switch (code.kind) {
    case 'text':
      return code.text
    case 'concat': {
      let out = ''
      for (const part of code.parts) {
        const piece = flat(part)
        if (piece === undefined) return undefined
        out += piece
      }
      return out
    }
    case 'pair': {
      const value = flat(code.value)
      return value === undefined ? undefined : `${code.key}: ${value}`
    }
    case 'list': {
      if (code.forceBreak) return undefined
      const items: string[] = []
      for (const item of code.items) {
        const piece = flat(item)
        if (piece === undefined) return undefined
        items.push(piece)
      }
      const inner = items.join(', ')
      if (code.open === '{') return inner ? `{ ${inner} }` : '{}'
      return `${code.open}${inner}${closing[code.open]}`
    }
    case 'chain': {
      if (code.links.length > 0 && !code.flatIfFits) return undefined
      const parts = [code.head, ...code.links].map(flat)
      return parts.every((part) => part !== undefined) ? parts.join('') : undefined
    }
    case 'arrow': {
      const body = flat(code.body)
      return body === undefined ? undefined : `${code.params} => ${body}`
    }
  }
}

/**
 * Prints `code` starting at `column` on a line indented by `indent`, with `trailing` characters
 * that follow it on its last line (a comma, a closing parenthesis).
 */
export function print(code: Code, indent = 0, column = indent, trailing = 0): string {
  const oneLine = flat(code)
  if (oneLine !== undefined && column + oneLine.length + trailing <= width) return oneLine
  const pad = ' '.repeat(indent)
  switch (code.kind) {
    case 'text':
      return oneLine ?? code.text
    case 'concat': {
      let out = ''
      code.parts.forEach((part, index) => {
        const rest = code.parts.slice(index + 1).reduce((sum, next) => sum + flatWidth(next), 0)
        const printed = print(part, indent, lastColumn(out, column), trailing + rest)
        out += printed
      })
      return out
    }
    case 'pair':
      return `${code.key}: ${print(code.value, indent, column + code.key.length + 2, trailing)}`
    case 'chain': {
      const head = print(code.head, indent, column, 0)
      const links = code.links.map(
        (link, index) =>
          `\n${pad}  ${print(link, indent + 2, indent + 2, index === code.links.length - 1 ? trailing : 0)}`,
      )
      return head + links.join('')
    }
    case 'arrow':
      return `${code.params} =>\n${pad}  ${print(code.body, indent + 2, indent + 2, trailing)}`
    case 'list':
      return printList(code, indent, column, trailing)
  }
}

function printList(
  code: Extract<Code, { kind: 'list' }>,
  indent: number,
  column: number,
  trailing: number,
): string {
  const pad = ' '.repeat(indent)
  const close = closing[code.open]
  // Hug the last argument of a call (or the only array item) when it is an object or array
  // and everything before it fits on the first line: `f(a, {` … `})`.
  const last = code.items[code.items.length - 1]
  if (code.open === '(' && last?.kind === 'list' && last.open !== '(') {
    const before = code.items.slice(0, -1).map(flat)
    if (before.every((piece) => piece !== undefined)) {
      const head = `(${before.map((piece) => `${piece}, `).join('')}`
      if (column + head.length + 1 <= width) {
        const hugged = printList(last, indent, column + head.length, trailing + 1)
        if (hugged.includes('\n')) return `${head}${hugged})`
      }
    }
  }
  // A last argument that is an arrow function: `f(a, (x) =>` then its body, indented.
  if (code.open === '(' && last?.kind === 'arrow') {
    const before = code.items.slice(0, -1).map(flat)
    const head = `(${before.map((piece) => `${piece}, `).join('')}${last.params} =>`
    if (before.every((piece) => piece !== undefined) && column + head.length <= width)
      return `${head}\n${pad}  ${print(last.body, indent + 2, indent + 2, 1)},\n${pad})`
  }
  if (code.items.length === 0) return code.open === '{' ? '{}' : `${code.open}${close}`
  const items = code.items.map((item) => `${pad}  ${print(item, indent + 2, indent + 2, 1)},`)
  return `${code.open}\n${items.join('\n')}\n${pad}${close}`
}

function flatWidth(code: Code): number {
  return flat(code)?.length ?? 0
}

function lastColumn(out: string, start: number): number {
  const newline = out.lastIndexOf('\n')
  return newline === -1 ? start + out.length : out.length - newline - 1
}

/** A string literal as Prettier writes it with `singleQuote`: single quotes unless the text has more of them than double quotes. */
export function stringLiteral(value: string): string {
  const singles = (value.match(/'/g) ?? []).length
  const doubles = (value.match(/"/g) ?? []).length
  const quote = singles > doubles ? '"' : "'"
  const body = JSON.stringify(value)
    .slice(1, -1)
    .replace(/\\"/g, '"')
    .replace(new RegExp(quote, 'g'), `\\${quote}`)
  return `${quote}${body}${quote}`
}

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/
const reserved = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await'.split(
    ' ',
  ),
)

/** Whether `name` can be written as a plain identifier (a variable or property name). */
export function isIdentifier(name: string): boolean {
  return identifier.test(name)
}

/** Whether `name` can name a variable. */
export function isVariableName(name: string): boolean {
  return identifier.test(name) && !reserved.has(name)
}

/** An object key: bare when it is an identifier, else quoted (`__proto__` computed, so it stays a key). */
export function propertyKey(name: string): string {
  if (name === '__proto__') return `[${stringLiteral(name)}]`
  return identifier.test(name) ? name : stringLiteral(name)
}

/** `object.name`, or `object['name']` when `name` is no identifier. */
export function member(objectName: string, name: string): string {
  return identifier.test(name) && name !== '__proto__'
    ? `${objectName}.${name}`
    : `${objectName}[${stringLiteral(name)}]`
}

/** A JSON value as a literal (objects expanded only when they do not fit). */
export function jsonLiteral(value: unknown): Code {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'string') return text(stringLiteral(value))
    return text(value === undefined ? 'undefined' : JSON.stringify(value))
  }
  if (Array.isArray(value)) return array(value.map(jsonLiteral))
  return object(
    Object.entries(value as Record<string, unknown>).map(([key, item]) =>
      pair(propertyKey(key), jsonLiteral(item)),
    ),
  )
}
