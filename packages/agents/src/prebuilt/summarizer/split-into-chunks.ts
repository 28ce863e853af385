import { InvalidArgumentError } from '@tessera/core'

/**
 * Splits a text into chunks of at most `maxCharacters`, at the best boundary that fits:
 * paragraphs (blank lines) are kept together when they fit, a longer paragraph is split between
 * sentences, and a sentence longer than a chunk between words (or, with no space to break at,
 * anywhere). Chunks are filled greedily, in order; no text is lost or repeated, only the
 * whitespace at the boundaries.
 *
 * @example
 * ```ts
 * splitIntoChunks('First paragraph.\n\nSecond paragraph.', 20)
 * // ['First paragraph.', 'Second paragraph.']
 * ```
 */
export function splitIntoChunks(text: string, maxCharacters: number): string[] {
  if (typeof text !== 'string') {
    throw new InvalidArgumentError({
      fn: 'splitIntoChunks',
      argument: 'text',
      expected: 'a string',
      received: text,
    })
  }
  if (!Number.isInteger(maxCharacters) || maxCharacters < 1) {
    throw new InvalidArgumentError({
      fn: 'splitIntoChunks',
      argument: 'maxCharacters',
      expected: 'a positive integer',
      received: maxCharacters,
    })
  }
  const trimmed = text.trim()
  if (trimmed.length <= maxCharacters) return trimmed === '' ? [] : [trimmed]

  // The pieces, each at most maxCharacters, with the separator that joins each to the previous.
  const pieces: { text: string; separator: string }[] = []
  for (const paragraph of trimmed.split(/\n[ \t]*\n\s*/)) {
    if (paragraph.length <= maxCharacters) {
      pieces.push({ text: paragraph, separator: '\n\n' })
      continue
    }
    let separator = '\n\n'
    for (const sentence of paragraph.split(/(?<=[.!?…])\s+/)) {
      for (const part of splitLong(sentence, maxCharacters)) {
        pieces.push({ text: part, separator })
        separator = ' '
      }
    }
  }

  const chunks: string[] = []
  let current = ''
  for (const piece of pieces) {
    if (current === '') current = piece.text
    else if (current.length + piece.separator.length + piece.text.length <= maxCharacters) {
      current += piece.separator + piece.text
    } else {
      chunks.push(current)
      current = piece.text
    }
  }
  if (current !== '') chunks.push(current)
  return chunks
}

/** Splits a sentence longer than `max` at the last space before each limit, or at the limit. */
function splitLong(sentence: string, max: number): string[] {
  const parts: string[] = []
  let rest = sentence
  while (rest.length > max) {
    const space = rest.lastIndexOf(' ', max)
    const cut = space > 0 ? space : max
    parts.push(rest.slice(0, cut))
    rest = rest.slice(cut).trimStart()
  }
  if (rest !== '') parts.push(rest)
  return parts
}
