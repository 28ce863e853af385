import { describe, expect, it } from 'vitest'
import { InvalidArgumentError, parseDuration } from '../index'
import { thrownBy } from '../../test/helpers'

describe('parseDuration', () => {
  it('accepts milliseconds and unit strings', () => {
    expect(parseDuration(0, 'x')).toBe(0)
    expect(parseDuration(250, 'x')).toBe(250)
    expect(parseDuration(1.5, 'x')).toBe(1.5)
    expect(parseDuration('200ms', 'x')).toBe(200)
    expect(parseDuration('30s', 'x')).toBe(30_000)
    expect(parseDuration('1.5s', 'x')).toBe(1500)
    expect(parseDuration('5m', 'x')).toBe(300_000)
    expect(parseDuration('1.5h', 'x')).toBe(5_400_000)
    expect(parseDuration('2d', 'x')).toBe(172_800_000)
    expect(parseDuration(' 10 s ', 'x')).toBe(10_000)
  })

  it('rejects anything else with an InvalidArgumentError naming where', () => {
    for (const value of [
      -1,
      Number.NaN,
      Infinity,
      '10',
      '10 sec',
      '-5s',
      's',
      '',
      null,
      undefined,
      {},
      '1e3ms',
    ]) {
      const error = thrownBy(() => parseDuration(value, 'createStep("x").timeout'))
      expect(error).toBeInstanceOf(InvalidArgumentError)
      expect(error.argument).toBe('createStep("x").timeout')
    }
    expect(thrownBy(() => parseDuration('soon', 'createEngine.lease')).message).toBe(
      `createEngine: "createEngine.lease" must be a duration: milliseconds (>= 0) or a string like '200ms', '30s', '5m', '1h', '2d', received "soon"`,
    )
  })
})
