import { describe, expect, it } from 'vitest'
import { detectPii } from './detect-pii'
import { redactPii } from './redact-pii'

/** Each finding as [type, the text it covers]. */
const found = (text: string) =>
  detectPii(text).map((finding) => [finding.type, text.slice(finding.start, finding.end)])

describe('detectPii: national ids', () => {
  // Check digits computed independently of this code (Python, from each scheme's definition).
  it('finds national ids whose check digit or letter is right', () => {
    const input =
      'NINO AB 12 34 56 C, DNI 12345678Z, NIE X1234567L, CF RSSMRA85T10A562S, ' +
      'NIR 1 85 05 78 006 084 91, SIN 130 692 544, Aadhaar 2345 6789 0124.'
    expect(found(input)).toEqual([
      ['national-id', 'AB 12 34 56 C'],
      ['national-id', '12345678Z'],
      ['national-id', 'X1234567L'],
      ['national-id', 'RSSMRA85T10A562S'],
      ['national-id', '1 85 05 78 006 084 91'],
      ['national-id', '130 692 544'],
      ['national-id', '2345 6789 0124'],
    ])
    expect(redactPii('DNI 12345678Z').text).toBe('DNI [NATIONAL_ID]')
  })

  it('leaves ids with a wrong check digit, or a shape no scheme issues, alone', () => {
    expect(found('DNI 12345678A, NIE X1234567A, CF RSSMRA85T10A562T')).toEqual([])
    expect(detectPii('NIR 1 85 05 78 006 084 92', { types: ['national-id'] })).toEqual([])
    // 2345 6789 0125 fails Verhoeff, so it is only a phone-shaped number.
    expect(found('ref 2345 6789 0125').map(([type]) => type)).toEqual(['phone'])
    // QQ and GB are never issued as National Insurance prefixes.
    expect(found('QQ 12 34 56 C and GB 12 34 56 A')).toEqual([])
  })

  it('can be asked for alone', () => {
    expect(detectPii('ada@example.com 12345678Z', { types: ['national-id'] })).toEqual([
      { type: 'national-id', start: 16, end: 25 },
    ])
  })
})

describe('detectPii: more secrets', () => {
  it('finds GitLab, npm, Hugging Face and Slack app tokens', () => {
    const gitlab = 'glpat-' + 'Ab3dEf6hIj9kLm2nOp5q'
    const npm = 'npm_' + 'a'.repeat(18) + '1'.repeat(18)
    const huggingFace = 'hf_' + 'B'.repeat(20) + '7'.repeat(14)
    const slackApp = 'xapp-1-A0123456789-abcdef'
    expect(found(`${gitlab} ${npm} ${huggingFace} ${slackApp}`).map(([type]) => type)).toEqual([
      'secret',
      'secret',
      'secret',
      'secret',
    ])
  })

  it('masks the value of a credential assignment, not the name', () => {
    expect(redactPii('api_key=abcd1234efgh5678').text).toBe('api_key=[SECRET]')
    expect(redactPii('{"password": "hunter2hunter2"}').text).toBe('{"password": "[SECRET]"}')
    expect(redactPii('AWS_SECRET_ACCESS_KEY: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY').text).toBe(
      'AWS_SECRET_ACCESS_KEY: [SECRET]',
    )
    expect(redactPii('client_secret = "s3cr3t-v4lue!"').text).toBe('client_secret = "[SECRET]"')
  })

  it('keeps references to where a secret lives, and short words after "token:"', () => {
    const references =
      'apiKey: process.env.OPENAI_API_KEY, password=${DB_PASSWORD}, token: {{slack_token}}'
    expect(detectPii(references)).toEqual([])
    expect(detectPii('the token: see docs')).toEqual([])
  })
})
