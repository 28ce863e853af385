import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '../errors/invalid-argument-error'
import { checkRecordInput, compareRecordKeys, recordPrefixEnd } from './record-input'

const messageOf = (call: () => unknown) => {
  try {
    call()
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError)
    return (error as Error).message
  }
  throw new Error('no error')
}

describe('checkRecordInput', () => {
  it('returns what a store writes: the value as JSON text, now in whole ms', () => {
    expect(
      checkRecordInput('putRecord', {
        collection: 'c',
        key: 'k',
        value: { at: new Date(0), gone: undefined, list: [1, 'é'] },
        now: 10.6,
      }),
    ).toEqual({
      collection: 'c',
      key: 'k',
      json: '{"at":"1970-01-01T00:00:00.000Z","list":[1,"é"]}',
      now: 11,
      expectRevision: undefined,
    })
    expect(
      checkRecordInput('deleteRecord', { collection: 'c', key: 'k', expectRevision: 0 }),
    ).toEqual({ collection: 'c', key: 'k', expectRevision: 0 })
  })

  it('spells out the key range of a list query', () => {
    expect(
      checkRecordInput('listRecords', { collection: 'c', prefix: 'a%', after: 'a%b', limit: 5 }),
    ).toEqual({
      collection: 'c',
      prefix: 'a%',
      prefixEnd: 'a&',
      after: 'a%b',
      reverse: false,
      limit: 5,
    })
    expect(
      checkRecordInput('listRecords', { collection: 'c', prefix: '', limit: 1 }),
    ).toMatchObject({ prefix: undefined, prefixEnd: undefined })
  })

  it('says what was expected, what came and where', () => {
    expect(messageOf(() => checkRecordInput('getRecord', { collection: '', key: 'k' }))).toBe(
      'getRecord: "collection" must be a non-empty string of at most 64 characters, received ""',
    )
    expect(
      messageOf(() => checkRecordInput('getRecord', { collection: 'c', key: 'k'.repeat(256) })),
    ).toBe(
      'getRecord: "key" must be a non-empty string of at most 255 characters, received a string of 256 characters',
    )
    expect(
      messageOf(() => checkRecordInput('getRecord', { collection: 'c', key: 'a\u0000' })),
    ).toBe(
      'getRecord: "key" must be a string without U+0000 or lone surrogates (UTF-8 cannot hold them), received "a\\u0000"',
    )
    expect(
      messageOf(() => checkRecordInput('getRecord', { collection: 'c', key: '\ud83d' })),
    ).toContain('"key" must be a string without U+0000 or lone surrogates')
    expect(
      messageOf(() =>
        checkRecordInput('putRecord', {
          collection: 'c',
          key: 'k',
          value: 1,
          now: 1,
          expectRevision: 1.5,
        }),
      ),
    ).toBe(
      'putRecord: "expectRevision" must be a non-negative integer (0: the record must not exist) or undefined, received 1.5',
    )
    expect(
      messageOf(() =>
        checkRecordInput('putRecord', { collection: 'c', key: 'k', value: 1n, now: 1 }),
      ),
    ).toBe(
      'putRecord: "value" must be a value JSON can hold (not undefined, a function, a BigInt or a cycle), received bigint',
    )
    expect(
      messageOf(() =>
        checkRecordInput('putRecord', { collection: 'c', key: 'k', value: 1, now: NaN }),
      ),
    ).toBe('putRecord: "now" must be epoch milliseconds (a finite number), received NaN')
    expect(messageOf(() => checkRecordInput('listRecords', { collection: 'c', limit: 1001 }))).toBe(
      'listRecords: "limit" must be an integer from 1 to 1000, received 1001',
    )
    expect(
      messageOf(() =>
        checkRecordInput('listRecords', { collection: 'c', limit: 1, reverse: 1 as never }),
      ),
    ).toBe('listRecords: "reverse" must be a boolean or undefined, received 1')
    expect(messageOf(() => checkRecordInput('listRecords', null as never))).toBe(
      'listRecords: "input" must be an object, received null',
    )
  })
})

describe('recordPrefixEnd', () => {
  it('is the smallest string above every string with the prefix', () => {
    expect(recordPrefixEnd('user:')).toBe('user;')
    expect(recordPrefixEnd('a\u{10FFFF}')).toBe('b')
    expect(recordPrefixEnd('\u{10FFFF}\u{10FFFF}')).toBeUndefined()
    expect(recordPrefixEnd('a\ud7ff')).toBe('a\ue000')
    expect(recordPrefixEnd('a\uffff')).toBe('a\u{10000}')
    expect(recordPrefixEnd('')).toBeUndefined()
  })
})

describe('compareRecordKeys', () => {
  it('sorts in code-point order, the byte order of UTF-8', () => {
    const keys = ['\uffff', '\u{1F600}', 'z', '\ue000', 'é', 'a', 'ab', '']
    const bytes = [...keys].sort((left, right) =>
      Buffer.compare(Buffer.from(left, 'utf8'), Buffer.from(right, 'utf8')),
    )
    expect([...keys].sort(compareRecordKeys)).toEqual(bytes)
    expect(bytes).toEqual(['', 'a', 'ab', 'z', 'é', '\ue000', '\uffff', '\u{1F600}'])
  })
})
