import { describe, expect, it } from 'vitest'
import { ModelCallError, PromptTooLongError, UnknownModelError } from '@tessera/core'
import { failureOfStatus } from './failure-of-status'
import { modelErrorFromHttp } from './model-error-from-http'
import { parseToolInput } from './parse-tool-input'

const base = { provider: 'acme', modelId: 'm1', message: 'nope' }

describe('modelErrorFromHttp and failureOfStatus', () => {
  it('maps statuses to failures', () => {
    expect([429, 401, 403, 408, 409, 500, 503, 400, 422, 302].map(failureOfStatus)).toEqual([
      'rate-limited',
      'authentication',
      'authentication',
      'server-error',
      'server-error',
      'server-error',
      'server-error',
      'bad-request',
      'bad-request',
      'other',
    ])
  })

  it('gives the typed error for each case, keeping the cause', () => {
    const cause = new Error('sdk')
    const limited = modelErrorFromHttp({
      ...base,
      status: 429,
      headers: { 'retry-after': '3' },
      cause,
    })
    expect(ModelCallError.isInstance(limited)).toBe(true)
    expect(limited).toMatchObject({
      failure: 'rate-limited',
      retryable: true,
      retryAfterMs: 3000,
      statusCode: 429,
      cause,
    })
    expect(modelErrorFromHttp({ ...base, status: 429, retryable: false }).retryable).toBe(false)
    expect(UnknownModelError.isInstance(modelErrorFromHttp({ ...base, status: 404 }))).toBe(true)
    expect(
      UnknownModelError.isInstance(
        modelErrorFromHttp({ ...base, status: 400, modelNotFound: true }),
      ),
    ).toBe(true)
    const long = modelErrorFromHttp({
      ...base,
      status: 400,
      promptTooLong: { tokens: 9, limit: 8 },
    })
    expect(PromptTooLongError.isInstance(long)).toBe(true)
    expect(long).toMatchObject({ tokens: 9, limit: 8 })
    expect(modelErrorFromHttp({ ...base, status: 400, contentFiltered: true })).toMatchObject({
      failure: 'content-filter',
      retryable: false,
    })
    expect(modelErrorFromHttp({ ...base, status: 401 }).message).toBe(
      'acme model "m1": nope (HTTP 401)',
    )
  })
})

describe('parseToolInput', () => {
  const source = { provider: 'acme', modelId: 'm1', toolName: 'lookup', toolCallId: 'c1' }
  it('parses JSON arguments; empty arguments are {}', () => {
    expect(parseToolInput('{"id":7}', source)).toEqual({ id: 7 })
    expect(parseToolInput('  ', source)).toEqual({})
  })
  it('rejects text that is not JSON as a malformed response naming the tool', () => {
    let error: unknown
    try {
      parseToolInput('{"id":', source)
    } catch (caught) {
      error = caught
    }
    expect(error).toMatchObject({ failure: 'malformed-response', retryable: true })
    expect((error as Error).message).toContain('tool call "c1" to "lookup"')
  })
})
