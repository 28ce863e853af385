import { InvalidArgumentError } from '../errors/invalid-argument-error'
import { parseDuration, type Duration } from './duration'

/** How a failed step is retried. */
export interface RetryOptions {
  /** Total attempts including the first; 1 means no retry. Default 1. */
  attempts?: number
  backoff?: {
    type?: 'exponential' | 'fixed'
    /** Delay before the second attempt. Default 100ms. */
    initial?: Duration
    /** Upper bound of any delay. Default 30s. */
    max?: Duration
    /** Exponential growth factor. Default 2. */
    factor?: number
    /** Randomise each delay ("full jitter": uniform in [0, delay]). Default true. */
    jitter?: boolean
  }
}

/** A validated, normalised retry policy, as stored in definitions. */
export interface RetryPolicy {
  attempts: number
  type: 'exponential' | 'fixed'
  initialMs: number
  maxMs: number
  factor: number
  jitter: boolean
}

export const noRetry: RetryPolicy = {
  attempts: 1,
  type: 'exponential',
  initialMs: 100,
  maxMs: 30_000,
  factor: 2,
  jitter: true,
}

/** Validates retry options, filling defaults from `base`. */
export function normalizeRetry(
  options: RetryOptions | undefined,
  where: string,
  base: RetryPolicy = noRetry,
): RetryPolicy {
  if (options === undefined) return base
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError({
      fn: where,
      argument: 'retry',
      expected: 'an object',
      received: options,
    })
  }
  const attempts = options.attempts ?? base.attempts
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 1000) {
    throw new InvalidArgumentError({
      fn: where,
      argument: 'retry.attempts',
      expected: 'an integer from 1 to 1000',
      received: options.attempts,
    })
  }
  const backoff = options.backoff ?? {}
  const factor = backoff.factor ?? base.factor
  if (typeof factor !== 'number' || !(factor >= 1)) {
    throw new InvalidArgumentError({
      fn: where,
      argument: 'retry.backoff.factor',
      expected: 'a number >= 1',
      received: factor,
    })
  }
  const type = backoff.type ?? base.type
  if (type !== 'exponential' && type !== 'fixed') {
    throw new InvalidArgumentError({
      fn: where,
      argument: 'retry.backoff.type',
      expected: '"exponential" or "fixed"',
      received: type,
    })
  }
  const jitter = backoff.jitter ?? base.jitter
  if (typeof jitter !== 'boolean') {
    throw new InvalidArgumentError({
      fn: where,
      argument: 'retry.backoff.jitter',
      expected: 'a boolean',
      received: jitter,
    })
  }
  return {
    attempts,
    type,
    initialMs:
      backoff.initial === undefined
        ? base.initialMs
        : parseDuration(backoff.initial, `${where}.retry.backoff.initial`),
    maxMs:
      backoff.max === undefined
        ? base.maxMs
        : parseDuration(backoff.max, `${where}.retry.backoff.max`),
    factor,
    jitter,
  }
}

/**
 * The delay before attempt `nextAttempt` (2 for the first retry). With jitter the delay is
 * uniform in [0, delay] ("full jitter"), which spreads retries of many runs apart.
 */
export function retryDelay(
  policy: RetryPolicy,
  nextAttempt: number,
  random: () => number = Math.random,
): number {
  const exponent = policy.type === 'fixed' ? 0 : nextAttempt - 2
  const delay = Math.min(policy.maxMs, policy.initialMs * policy.factor ** exponent)
  return policy.jitter ? Math.round(random() * delay) : delay
}

/** The longest wait a failure's own `retryAfterMs` may impose before the next attempt: a day. */
const maxRetryAfterMs = 86_400_000

/**
 * The wait a failure asks for before it is retried: the `retryAfterMs` of a `RateLimitedError`,
 * a rate-limited `ConnectorError` or any error that carries one (a server's `Retry-After`).
 * The engine waits for the longer of this and the step's backoff, so a retry never comes
 * sooner than the remote system said it would accept one.
 */
export function retryAfterOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const value = (error as { retryAfterMs?: unknown }).retryAfterMs
  return typeof value === 'number' && Number.isFinite(value) && value > 0
    ? Math.min(Math.ceil(value), maxRetryAfterMs)
    : undefined
}
