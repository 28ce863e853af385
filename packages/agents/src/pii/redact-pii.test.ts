import { describe, expect, it } from 'vitest'
import { detectPii } from './detect-pii'
import { passesIbanChecksum } from './iban-checksum'
import { passesLuhnCheck } from './luhn-check'
import { redactPii } from './redact-pii'

const types = (text: string) => detectPii(text).map((finding) => finding.type)

describe('redactPii', () => {
  it('masks each kind of data and reports positions in the original text', () => {
    const input =
      'Mail ada.lovelace+work@example.co.uk, call +44 20 7946 0958, card 4111 1111 1111 1111, ' +
      'IBAN DE89 3704 0044 0532 0130 00, SSN 123-45-6789, key sk-proj-4f9aQ2x7LmN3pR8sT1uV and AKIAIOSFODNN7EXAMPLE.'
    const { text, findings } = redactPii(input)
    expect(text).toBe(
      'Mail [EMAIL], call [PHONE], card [CREDIT_CARD], IBAN [IBAN], SSN [SSN], key [SECRET] and [SECRET].',
    )
    expect(
      findings.map((finding) => [finding.type, input.slice(finding.start, finding.end)]),
    ).toEqual([
      ['email', 'ada.lovelace+work@example.co.uk'],
      ['phone', '+44 20 7946 0958'],
      ['credit-card', '4111 1111 1111 1111'],
      ['iban', 'DE89 3704 0044 0532 0130 00'],
      ['ssn', '123-45-6789'],
      ['secret', 'sk-proj-4f9aQ2x7LmN3pR8sT1uV'],
      ['secret', 'AKIAIOSFODNN7EXAMPLE'],
    ])
  })

  it('leaves a card-shaped number that fails the Luhn check alone', () => {
    expect(passesLuhnCheck('4111111111111111')).toBe(true)
    expect(passesLuhnCheck('4111111111111112')).toBe(false)
    const input = 'Order 4111 1111 1111 1112 shipped'
    expect(redactPii(input)).toEqual({ text: input, findings: [] })
    expect(types('pay with 5500-0000-0000-0004 today')).toEqual(['credit-card'])
  })

  it('checks IBANs with mod 97 and stops before a following word', () => {
    expect(passesIbanChecksum('GB82WEST12345698765432')).toBe(true)
    expect(passesIbanChecksum('GB82WEST12345698765433')).toBe(false)
    expect(types('GB82WEST12345698765433')).toEqual([])
    const input = 'to BE68 5390 0754 7034 THEN done'
    const [finding] = detectPii(input)
    expect(finding && input.slice(finding.start, finding.end)).toBe('BE68 5390 0754 7034')
  })

  it('does not take dates, IP addresses, plain numbers or never-issued SSNs for personal data', () => {
    expect(types('on 2024-01-15 from 192.168.100.200, order 1234567, ref 000-12-3456')).toEqual([
      'phone',
    ])
    expect(types('on 2024-01-15 from 192.168.100.200, order 1234567')).toEqual([])
    expect(types('call (555) 123-4567 or 555.123.4567')).toEqual(['phone', 'phone'])
  })

  it('finds other secret formats', () => {
    const token = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'
    expect(types(`token ${token}`)).toEqual(['secret'])
    expect(types('Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123456789')).toEqual(['secret'])
    expect(types('-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----')).toEqual(
      ['secret'],
    )
    expect(types('we use sk-learn-and-some-other-libraries')).toEqual([])
  })

  it('filters by type and takes a custom replacement', () => {
    const input = 'ada@example.com 123-45-6789'
    expect(redactPii(input, { types: ['ssn'] }).text).toBe('ada@example.com [SSN]')
    expect(
      redactPii(input, { replacement: (finding) => '*'.repeat(finding.end - finding.start) }).text,
    ).toBe('*************** ***********')
    expect(() => redactPii(input, { types: ['name' as never] })).toThrow(/options.types/)
  })

  it('stays fast on long hostile input', () => {
    const hostile = 'a.'.repeat(50_000) + '1-'.repeat(50_000) + '+'.repeat(50_000)
    const started = performance.now()
    expect(redactPii(hostile).findings).toEqual([])
    expect(performance.now() - started).toBeLessThan(2_000)
  })
})
