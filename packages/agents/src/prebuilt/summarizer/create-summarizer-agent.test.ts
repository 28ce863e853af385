import { InvalidArgumentError } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { createScriptedModel } from '../../scripted-model/create-scripted-model'
import { createSummarizerAgent } from './create-summarizer-agent'

const systemOf = (model: ReturnType<typeof createScriptedModel>, call: number) =>
  model.calls[call]!.messages[0]!.content as string
const userOf = (model: ReturnType<typeof createScriptedModel>, call: number) =>
  model.calls[call]!.messages.at(-1)!.content as string

/** Paragraphs of about 120 characters each. */
const paragraphs = (count: number) =>
  Array.from(
    { length: count },
    (_, index) =>
      `Paragraph ${index + 1} reports that team ${index + 1} shipped feature ${index + 1} on day ${index + 1} of the quarter.`,
  ).join('\n\n')

describe('createSummarizerAgent', () => {
  it('summarises a text that fits in one call, with the style, focus and limit in the instructions', async () => {
    const model = createScriptedModel(['The teams shipped three features.'])
    const agent = createSummarizerAgent({ model, maxWords: 50, focus: 'what shipped' })
    const text = paragraphs(3)
    const { output } = await agent.generate(text)
    expect(output).toEqual({ summary: 'The teams shipped three features.', chunks: 1 })
    expect(model.calls).toHaveLength(1)
    expect(userOf(model, 0)).toBe(text)
    const system = systemOf(model, 0)
    expect(system).toContain('Write one paragraph of plain prose')
    expect(system).toContain('Use at most 50 words.')
    expect(system).toContain('Focus on: what shipped.')
    expect(model.calls[0]!.responseFormat).toBeUndefined()
  })

  it('map-reduces a long text: one call per chunk, in order, then one combining call', async () => {
    const model = createScriptedModel([
      'Teams 1-2 shipped.',
      '* Teams 3-4 shipped.',
      'Teams 5-6 shipped.',
      '* Six features shipped\n• All on time',
    ])
    const agent = createSummarizerAgent({ model, style: 'bullets', chunkCharacters: 200 })
    const { output } = await agent.generate(paragraphs(6))
    expect(output).toEqual({ summary: '- Six features shipped\n- All on time', chunks: 3 })
    expect(model.calls).toHaveLength(4)
    for (const [index, call] of [0, 1, 2].entries()) {
      expect(userOf(model, call)).toMatch(
        new RegExp(`^Part ${index + 1} of 3:\\n\\nParagraph ${2 * index + 1} `),
      )
      expect(userOf(model, call).length).toBeLessThanOrEqual(200 + 'Part 1 of 3:\n\n'.length)
      expect(systemOf(model, call)).toContain('one part of a longer text')
    }
    expect(userOf(model, 3)).toBe(
      'Part 1:\nTeams 1-2 shipped.\n\nPart 2:\n* Teams 3-4 shipped.\n\nPart 3:\nTeams 5-6 shipped.',
    )
    expect(systemOf(model, 3)).toContain('each line starting with "- "')
  })

  it('sends a summary over maxWords back once, then cuts it at the last sentence that fits', async () => {
    const long = 'One two three. Four five six. Seven eight nine ten.'
    const model = createScriptedModel([long, 'Alpha beta gamma. Delta epsilon zeta eta.'])
    const { output } = await createSummarizerAgent({ model, maxWords: 5 }).generate(paragraphs(1))
    expect(model.calls).toHaveLength(2)
    expect(systemOf(model, 1)).toContain('at most 5 words')
    expect(userOf(model, 1)).toBe(long)
    expect(output.summary).toBe('Alpha beta gamma.')
  })

  it('answers an empty summary for blank text without calling the model', async () => {
    const model = createScriptedModel([])
    expect((await createSummarizerAgent({ model }).generate('  \n ')).output).toEqual({
      summary: '',
      chunks: 0,
    })
  })

  it('refuses bad settings', () => {
    const model = createScriptedModel([])
    for (const [settings, argument] of [
      [{ model, style: 'haiku' }, 'style'],
      [{ model, maxWords: 0 }, 'maxWords'],
      [{ model, chunkCharacters: 10 }, 'chunkCharacters'],
    ] as const) {
      let caught: unknown
      try {
        createSummarizerAgent(settings as never)
      } catch (error) {
        caught = error
      }
      expect(InvalidArgumentError.isInstance(caught)).toBe(true)
      expect((caught as InvalidArgumentError).argument).toBe(argument)
    }
  })
})
