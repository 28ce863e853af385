import { describe, expect, it } from 'vitest'
import { countWords, limitWords } from './limit-words'
import { splitIntoChunks } from './split-into-chunks'

const words = (text: string) => text.split(/\s+/).filter((word) => word !== '')

describe('splitIntoChunks', () => {
  it('keeps a text that fits whole, and returns nothing for blank text', () => {
    expect(splitIntoChunks('  Short text.  ', 100)).toEqual(['Short text.'])
    expect(splitIntoChunks(' \n ', 100)).toEqual([])
  })

  it('packs whole paragraphs greedily', () => {
    const text = 'Alpha one.\n\nBravo two.\n\n\nCharlie three.'
    expect(splitIntoChunks(text, 25)).toEqual(['Alpha one.\n\nBravo two.', 'Charlie three.'])
  })

  it('splits a long paragraph between sentences, and a long sentence between words', () => {
    const sentence = 'The quick brown fox jumps over the lazy dog.'
    const paragraph = `${sentence} ${sentence} ${sentence}`
    expect(splitIntoChunks(paragraph, 50)).toEqual([sentence, sentence, sentence])
    const chunks = splitIntoChunks('a'.repeat(30) + ' ' + 'b'.repeat(30), 20)
    expect(chunks).toEqual(['a'.repeat(20), 'a'.repeat(10), 'b'.repeat(20), 'b'.repeat(10)])
  })

  it('never exceeds the limit and loses or repeats no word', () => {
    const text = Array.from(
      { length: 40 },
      (_, index) =>
        `Paragraph ${index} has some words. ${'Filler sentence number ' + index + '. '.repeat(1 + (index % 4))}`,
    ).join('\n\n')
    for (const limit of [60, 200, 1000]) {
      const chunks = splitIntoChunks(text, limit)
      expect(chunks.every((chunk) => chunk.length <= limit)).toBe(true)
      expect(chunks.flatMap(words)).toEqual(words(text))
    }
  })

  it('refuses a limit that is not a positive integer', () => {
    expect(() => splitIntoChunks('text', 0)).toThrow(/"maxCharacters" must be a positive integer/)
  })
})

describe('limitWords', () => {
  it('counts words without list markers', () => {
    expect(countWords('- Revenue grew 12%\n* Costs fell\n1. Done')).toBe(6)
  })

  it('cuts prose at the last sentence that fits, or at a word with an ellipsis', () => {
    expect(limitWords('One two. Three four five. Six.', 5, 'paragraph')).toBe(
      'One two. Three four five.',
    )
    expect(limitWords('One two three four five six.', 3, 'paragraph')).toBe('One two three…')
    expect(limitWords('Short.', 3, 'paragraph')).toBe('Short.')
  })

  it('drops whole bullets from the end', () => {
    expect(limitWords('- a b c\n- d e\n- f g h', 5, 'bullets')).toBe('- a b c\n- d e')
    expect(limitWords('- a b c d e f', 2, 'bullets')).toBe('- a b…')
  })
})
