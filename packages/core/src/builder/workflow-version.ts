import { canonicalJson, contentHash } from '../definition/content-hash'
import type { WorkflowDefinition } from '../definition/schema'
import type { InlineFunction } from './workflow'

/**
 * The version of a workflow: a content hash of its definition (without `version`) and of the
 * source text of the inline functions it uses. The builder and `workflowFromDefinition` compute
 * it the same way, so a definition exported and registered again keeps its version.
 *
 * Function sources are normalised first (comments, whitespace and semicolons outside string
 * literals dropped): the same code compiled by two tools (tsx strips whitespace, Vitest keeps it
 * and its comments) must give the same version, or workers of one build would never run the
 * runs another build started.
 */
export function workflowVersion(
  body: Omit<WorkflowDefinition, 'version'>,
  functions: ReadonlyMap<string, InlineFunction>,
): string {
  const sources = [...functions]
    .map(([key, fn]) => `${key}=${normalizeSource(fn.toString())}`)
    .sort()
  return contentHash(canonicalJson(body) + '\n' + sources.join('\n'))
}

/**
 * A function's source without comments, whitespace and semicolons outside string and template
 * literals. Not a parser: regular expression literals are read as code, which is still
 * deterministic for one source text.
 */
export function normalizeSource(source: string): string {
  let out = ''
  let index = 0
  const length = source.length
  while (index < length) {
    const char = source[index]!
    const next = source[index + 1]
    if (char === '"' || char === "'" || char === '`') {
      const start = index++
      while (index < length && source[index] !== char) index += source[index] === '\\' ? 2 : 1
      out += source.slice(start, ++index)
    } else if (char === '/' && next === '/') {
      while (index < length && source[index] !== '\n') index++
    } else if (char === '/' && next === '*') {
      const end = source.indexOf('*/', index + 2)
      index = end === -1 ? length : end + 2
    } else if (char === ';' || /\s/.test(char)) {
      // A space that separates two word characters is kept (`return x`, `new Map`).
      if (/\s/.test(char) && /\w$/.test(out) && /\w/.test(nextCode(source, index + 1))) out += ' '
      index++
    } else {
      out += char
      index++
    }
  }
  return out
}

/** The first character of code after `index` (skipping whitespace and comments). */
function nextCode(source: string, index: number): string {
  while (index < source.length) {
    const char = source[index]!
    if (/\s/.test(char)) index++
    else if (source.startsWith('//', index)) {
      const end = source.indexOf('\n', index)
      index = end === -1 ? source.length : end
    } else if (source.startsWith('/*', index)) {
      const end = source.indexOf('*/', index + 2)
      index = end === -1 ? source.length : end + 2
    } else return char
  }
  return ''
}
