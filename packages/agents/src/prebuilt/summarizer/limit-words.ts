/**
 * Counts the words of a summary: runs of non-space characters, list markers (`-`, `*`, `•`,
 * `1.`) at the start of a line excluded.
 *
 * @example
 * ```ts
 * countWords('- Revenue grew 12%\n- Costs fell') // 5
 * ```
 */
export function countWords(text: string): number {
  return text
    .replace(/^[ \t]*(?:[-*•+]|\d{1,3}[.)])[ \t]+/gm, '')
    .split(/\s+/)
    .filter((word) => word !== '').length
}

/**
 * Cuts a summary to at most `maxWords` words. Bulleted text loses whole bullets from the end;
 * prose ends at the last full sentence that fits, or, when not even one fits, at the last word
 * that fits, followed by `…`.
 *
 * @example
 * ```ts
 * limitWords('One two. Three four five.', 3) // 'One two.'
 * ```
 */
export function limitWords(text: string, maxWords: number, style: 'paragraph' | 'bullets'): string {
  if (countWords(text) <= maxWords) return text
  if (style === 'bullets') {
    const lines = text.split('\n')
    while (lines.length > 1 && countWords(lines.join('\n')) > maxWords) lines.pop()
    if (countWords(lines.join('\n')) <= maxWords) return lines.join('\n')
    return cutAtWord(lines[0]!, maxWords)
  }
  const sentences = text.split(/(?<=[.!?…])\s+/)
  let kept = ''
  for (const sentence of sentences) {
    const next = kept === '' ? sentence : `${kept} ${sentence}`
    if (countWords(next) > maxWords) break
    kept = next
  }
  return kept !== '' ? kept : cutAtWord(text, maxWords)
}

function cutAtWord(text: string, maxWords: number): string {
  const words = text.split(/\s+/).filter((word) => word !== '')
  const marker = /^(?:[-*•+]|\d{1,3}[.)])$/.test(words[0] ?? '') ? 1 : 0
  return `${words
    .slice(0, maxWords + marker)
    .join(' ')
    .replace(/[,;:]$/, '')}…`
}
