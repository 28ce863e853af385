/**
 * An Atlassian Document Format document (the body of Jira Cloud descriptions and comments).
 *
 * @example
 * ```ts
 * const doc: AdfDocument = { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Hi' }] }] }
 * ```
 */
export interface AdfDocument {
  type: 'doc'
  version: 1
  content: unknown[]
}

/**
 * Plain text → an ADF document: blank lines separate paragraphs, single newlines become hard
 * breaks.
 *
 * @example
 * ```ts
 * textToAdf('Hello\n\nSecond paragraph') // { type: 'doc', version: 1, content: [paragraph, paragraph] }
 * ```
 */
export function textToAdf(text: string): AdfDocument {
  const paragraphs = text
    .replace(/\r\n/g, '\n')
    .split(/\n{2,}/)
    .filter((paragraph) => paragraph.trim() !== '')
  return {
    type: 'doc',
    version: 1,
    content: paragraphs.map((paragraph) => ({
      type: 'paragraph',
      content: paragraph
        .split('\n')
        .flatMap((line, index) => [
          ...(index > 0 ? [{ type: 'hardBreak' }] : []),
          ...(line === '' ? [] : [{ type: 'text', text: line }]),
        ]),
    })),
  }
}

/**
 * An ADF document (or a plain string, as Jira Server returns) → plain text: paragraphs joined by
 * blank lines, hard breaks as newlines.
 *
 * @example
 * ```ts
 * adfToText(textToAdf('a\nb')) // 'a\nb'
 * ```
 */
export function adfToText(value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'string') return value
  const blocks: string[] = []
  const inline = (node: unknown): string => {
    if (typeof node !== 'object' || node === null) return ''
    const { type, text, content } = node as { type?: string; text?: string; content?: unknown[] }
    if (type === 'text') return text ?? ''
    if (type === 'hardBreak') return '\n'
    return Array.isArray(content) ? content.map(inline).join('') : ''
  }
  const walk = (node: unknown) => {
    if (typeof node !== 'object' || node === null) return
    const { type, content } = node as { type?: string; content?: unknown[] }
    if (type === 'paragraph' || type === 'heading' || type === 'codeBlock') {
      blocks.push(inline(node))
      return
    }
    if (Array.isArray(content)) content.forEach(walk)
  }
  walk(value)
  return blocks.join('\n\n')
}
