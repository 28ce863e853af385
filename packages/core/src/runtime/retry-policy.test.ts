import { describe, expect, it } from 'vitest'
import { InvalidArgumentError, createEngine, createStep, createWorkflow } from '../index'
import { noRetry, normalizeRetry, retryDelay } from './retry-policy'
import { thrownBy } from '../../test/helpers'
import { num } from '../../test/fixtures'

describe('normalizeRetry', () => {
  it('fills defaults and converts durations to milliseconds', () => {
    expect(normalizeRetry(undefined, 'x')).toBe(noRetry)
    expect(normalizeRetry({}, 'x')).toEqual(noRetry)
    expect(
      normalizeRetry(
        {
          attempts: 4,
          backoff: { type: 'fixed', initial: '2s', max: '1m', factor: 3, jitter: false },
        },
        'x',
      ),
    ).toEqual({
      attempts: 4,
      type: 'fixed',
      initialMs: 2000,
      maxMs: 60_000,
      factor: 3,
      jitter: false,
    })
    expect(noRetry).toEqual({
      attempts: 1,
      type: 'exponential',
      initialMs: 100,
      maxMs: 30_000,
      factor: 2,
      jitter: true,
    })
  })

  it('fills missing fields from a base policy', () => {
    const base = normalizeRetry({ attempts: 5, backoff: { initial: 10, jitter: false } }, 'x')
    expect(normalizeRetry({ backoff: { max: 50 } }, 'y', base)).toEqual({ ...base, maxMs: 50 })
  })

  it('rejects bad options naming where they came from', () => {
    const cases: [unknown, string][] = [
      ['3', 'createStep("s"): "retry" must be an object, received "3"'],
      [
        { attempts: 0 },
        'createStep("s"): "retry.attempts" must be an integer from 1 to 1000, received 0',
      ],
      [
        { attempts: 1.5 },
        'createStep("s"): "retry.attempts" must be an integer from 1 to 1000, received 1.5',
      ],
      [
        { attempts: 1001 },
        'createStep("s"): "retry.attempts" must be an integer from 1 to 1000, received 1001',
      ],
      [
        { backoff: { factor: 0.5 } },
        'createStep("s"): "retry.backoff.factor" must be a number >= 1, received 0.5',
      ],
      [
        { backoff: { initial: 'later' } },
        '"createStep("s").retry.backoff.initial" must be a duration',
      ],
      [
        { backoff: { type: 'linear' } },
        'createStep("s"): "retry.backoff.type" must be "exponential" or "fixed", received "linear"',
      ],
      [
        { backoff: { jitter: 'yes' } },
        'createStep("s"): "retry.backoff.jitter" must be a boolean, received "yes"',
      ],
    ]
    for (const [options, message] of cases) {
      const error = thrownBy(() => normalizeRetry(options as any, 'createStep("s")'))
      expect(error).toBeInstanceOf(InvalidArgumentError)
      expect(error.message).toContain(message)
    }
  })

  it('is applied by createStep, createWorkflow and createEngine', () => {
    expect(
      thrownBy(() =>
        createStep({
          id: 's',
          input: num,
          output: num,
          retry: { attempts: -1 },
          run: ({ input }) => input,
        }),
      ).message,
    ).toContain('createStep("s"): "retry.attempts"')
    expect(
      thrownBy(() => createWorkflow({ id: 'w', input: num, defaults: { retry: { attempts: 0 } } }))
        .message,
    ).toContain('createWorkflow("w").defaults: "retry.attempts"')
    expect(
      thrownBy(() => createEngine({ defaults: { retry: { attempts: 0 } } })).message,
    ).toContain('createEngine.defaults: "retry.attempts"')
    const step = createStep({
      id: 's',
      input: num,
      output: num,
      retry: { attempts: 2 },
      timeout: '3s',
      run: ({ input }) => input,
    })
    expect(step.retry).toMatchObject({ attempts: 2, initialMs: 100 })
    expect(step.timeoutMs).toBe(3000)
  })
})

describe('retryDelay', () => {
  const policy = normalizeRetry(
    { attempts: 10, backoff: { initial: 100, factor: 2, max: 1000, jitter: false } },
    'x',
  )

  it('grows exponentially from the initial delay, capped at max', () => {
    expect([2, 3, 4, 5, 6, 7].map((attempt) => retryDelay(policy, attempt))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ])
  })

  it('fixed backoff always waits the initial delay', () => {
    const fixed = { ...policy, type: 'fixed' as const }
    expect([2, 3, 9].map((attempt) => retryDelay(fixed, attempt))).toEqual([100, 100, 100])
  })

  it('full jitter scales the delay by a random draw in [0, 1]', () => {
    const jittered = { ...policy, jitter: true }
    expect(retryDelay(jittered, 4, () => 0)).toBe(0)
    expect(retryDelay(jittered, 4, () => 0.5)).toBe(200)
    expect(retryDelay(jittered, 4, () => 0.999)).toBe(400)
  })
})
