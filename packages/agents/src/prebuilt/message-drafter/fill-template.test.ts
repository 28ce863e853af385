import { describe, expect, it } from 'vitest'
import { fillTemplate, placeholdersOf } from './fill-template'
import { MissingPlaceholderError } from './missing-placeholder-error'
import { toSlackMrkdwn } from './to-slack-mrkdwn'

describe('fillTemplate', () => {
  it('fills every placeholder, spaces inside the braces allowed, and lists them once in order', () => {
    expect(placeholdersOf('{{a}} {{ b }} {{a}}')).toEqual(['a', 'b'])
    expect(
      fillTemplate(
        'Hi {{ name }}, order {{orderId}} ({{count}} items, gift: {{gift}}). Thanks {{name}}!',
        {
          name: 'Ada',
          orderId: 'A-17',
          count: 3,
          gift: false,
          unused: 'x',
        },
      ),
    ).toEqual({
      text: 'Hi Ada, order A-17 (3 items, gift: false). Thanks Ada!',
      placeholdersFilled: ['name', 'orderId', 'count', 'gift'],
    })
  })

  it('fails with MissingPlaceholderError naming the template and every missing placeholder', () => {
    let caught: unknown
    try {
      fillTemplate(
        'Hi {{name}}, order {{orderId}} ships {{when}}',
        { name: 'Ada', when: undefined as never },
        'shipped',
      )
    } catch (error) {
      caught = error
    }
    expect(MissingPlaceholderError.isInstance(caught)).toBe(true)
    const error = caught as MissingPlaceholderError
    expect(error.placeholders).toEqual(['orderId', 'when'])
    expect(error.message).toBe(
      'Template "shipped" needs a value for {{orderId}}, {{when}}; values had "name", "when"',
    )
    expect(error.toJSON().details).toEqual({
      templateName: 'shipped',
      placeholders: ['orderId', 'when'],
    })
  })

  it('does not take inherited properties for values', () => {
    expect(() => fillTemplate('{{toString}}', {})).toThrow(/\{\{toString\}\}/)
  })
})

describe('toSlackMrkdwn', () => {
  it('rewrites Markdown emphasis, links, headings and lists', () => {
    expect(
      toSlackMrkdwn('## Update\n**Done:** see [the doc](https://example.com/a?b=1) & *enjoy*'),
    ).toBe('*Update*\n*Done:* see <https://example.com/a?b=1|the doc> &amp; _enjoy_')
    expect(toSlackMrkdwn('* one\n- two\n  + three\n~~old~~ __new__')).toBe(
      '• one\n• two\n  • three\n~old~ *new*',
    )
    expect(toSlackMrkdwn('**bold with *italic* inside**')).toBe('*bold with _italic_ inside*')
  })

  it("escapes &, < and > but keeps Slack's own tokens, quotes and code", () => {
    expect(toSlackMrkdwn('<@U123> see <https://x.io|x> and <!here>: 1 < 2 > 0 & done')).toBe(
      '<@U123> see <https://x.io|x> and <!here>: 1 &lt; 2 &gt; 0 &amp; done',
    )
    expect(toSlackMrkdwn('> quoted <b>\n`a < b **c**`\n```\nif (a && b) {}\n```')).toBe(
      '> quoted &lt;b&gt;\n`a < b **c**`\n```\nif (a && b) {}\n```',
    )
    expect(toSlackMrkdwn('snake_case_name and 2*3*4 stay')).toBe('snake_case_name and 2*3*4 stay')
  })
})
