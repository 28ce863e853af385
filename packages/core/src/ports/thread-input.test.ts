import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '../errors/invalid-argument-error'
import { checkThreadInput } from './thread-input'

describe('checkThreadInput', () => {
  it('returns what a store writes: messages and summary as JSON text, now in whole ms', () => {
    expect(
      checkThreadInput('appendThreadMessages', {
        threadId: 't',
        messages: [{ a: [1, 'é'] }, null, 'x'],
        now: 10.6,
      }),
    ).toEqual({ threadId: 't', messages: ['{"a":[1,"é"]}', 'null', '"x"'], now: 11 })
    expect(
      checkThreadInput('summarizeThread', { threadId: 't', summary: null, throughSeq: 3, now: 1 }),
    ).toEqual({ threadId: 't', summary: 'null', throughSeq: 3, now: 1 })
    expect(checkThreadInput('getThread', { threadId: 't' })).toEqual({ threadId: 't' })
  })

  it('says what was expected, what came and where', () => {
    const messageOf = (call: () => unknown) => {
      try {
        call()
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidArgumentError)
        return (error as Error).message
      }
      throw new Error('no error')
    }
    expect(messageOf(() => checkThreadInput('getThread', { threadId: '' }))).toBe(
      'getThread: "threadId" must be a non-empty string of at most 255 characters, received ""',
    )
    expect(
      messageOf(() =>
        checkThreadInput('appendThreadMessages', { threadId: 't', messages: [1, 2n], now: 1 }),
      ),
    ).toBe(
      'appendThreadMessages: "messages[1]" must be a value JSON can hold (not undefined, a function, a BigInt or a cycle), received bigint',
    )
    expect(
      messageOf(() =>
        checkThreadInput('summarizeThread', {
          threadId: 't',
          summary: 's',
          throughSeq: 1,
          now: Number.NaN,
        }),
      ),
    ).toBe('summarizeThread: "now" must be epoch milliseconds (a finite number), received NaN')
    expect(
      messageOf(() =>
        checkThreadInput('summarizeThread', { threadId: 't', summary: 's', throughSeq: 0, now: 1 }),
      ),
    ).toBe('summarizeThread: "throughSeq" must be a positive integer, received 0')
  })
})
