import {
  InvalidArgumentError,
  ModelCallError,
  TesseraError,
  parseDuration,
  type Duration,
  type LanguageModelV1,
} from '@tessera/core'
import { assertLanguageModel } from './assert-language-model'
import { abortableSleep, type Sleep } from './abortable-sleep'
import { resumeStream, startStream, type StartedStream } from './start-stream'
import { wrapLanguageModel } from './wrap-language-model'

/** What {@link withRetry} reports before each wait. */
export interface ModelRetryEvent {
  provider: string
  modelId: string
  /** The attempt that failed, from 1. */
  attempt: number
  /** How long the layer waits before the next attempt, in ms. */
  delayMs: number
  /** True when the wait comes from the provider's `Retry-After`. */
  fromRetryAfter: boolean
  error: unknown
}

/** Options of {@link withRetry}. */
export interface ModelRetryOptions {
  /** Attempts in all, the first included; 1 turns retries off. Default 3. */
  attempts?: number
  /** The wait after the first failure, doubled after each further one. Default `'500ms'`. */
  initialDelay?: Duration
  /** The longest backoff wait. Default `'30s'`. */
  maxDelay?: Duration
  /**
   * The longest `Retry-After` the layer waits for. A provider that asks for more gets no retry:
   * the call fails at once with the provider's error (a fallback chain can then move on).
   * Default `'60s'`.
   */
  maxRetryAfter?: Duration
  /** Randomise each backoff wait within [delay / 2, delay]. Default true. */
  jitter?: boolean
  /**
   * Whether an error is worth another attempt. Default: {@link isRetryableModelError}
   * (any `TesseraError` with `retryable: true`). Never asked after the caller's signal aborted.
   */
  shouldRetry?: (error: unknown, attempt: number) => boolean
  /** Called before each wait, e.g. to log it. */
  onRetry?: (event: ModelRetryEvent) => void
  /** Injected for tests. Default {@link abortableSleep}. */
  sleep?: Sleep
  /** Injected for tests: a number in [0, 1). Default `Math.random`. */
  random?: () => number
}

/**
 * True for errors a retry can cure: `TesseraError`s with `retryable: true`. For a
 * `ModelCallError` that is a rate limit (429), a server error (5xx, 408, 409), a timeout, a
 * network failure or a malformed answer.
 *
 * @example
 * ```ts
 * withRetry(model, { shouldRetry: (error) => isRetryableModelError(error) && !isQuotaError(error) })
 * ```
 */
export function isRetryableModelError(error: unknown): boolean {
  return TesseraError.isInstance(error) && error.retryable
}

/**
 * Wraps a model so that failed calls are tried again: errors with `retryable: true` (see
 * {@link isRetryableModelError}) get up to `attempts` tries in all. The wait before each retry
 * is the provider's `Retry-After` when it sent one (a `ModelCallError`'s `retryAfterMs`; longer
 * than `maxRetryAfter` fails at once), and otherwise an exponential backoff from
 * `initialDelay`, capped by `maxDelay`, with jitter. The last error is thrown as it came.
 *
 * An aborted `signal` stops everything: no retry after it, and a wait in progress ends at once
 * with the signal's reason. A stream is retried only when it failed before its first part; after
 * that the caller has seen output, and the error ends the stream.
 *
 * @example
 * ```ts
 * const model = withRetry(openai('gpt-4o-mini'), { attempts: 4, initialDelay: '1s' })
 * ```
 */
export function withRetry(
  model: LanguageModelV1,
  options: ModelRetryOptions = {},
): LanguageModelV1 {
  assertLanguageModel(model, 'withRetry', 'model')
  const policy = retryPolicy(options)

  /** Waits before the next attempt, or throws `error` when there is none. */
  const settle = async (error: unknown, attempt: number, signal: AbortSignal | undefined) => {
    if (signal?.aborted || attempt >= policy.attempts || !policy.shouldRetry(error, attempt)) {
      throw error
    }
    const retryAfterMs = ModelCallError.isInstance(error) ? error.retryAfterMs : undefined
    let delayMs: number
    if (retryAfterMs !== undefined) {
      if (retryAfterMs > policy.maxRetryAfterMs) throw error
      delayMs = retryAfterMs
    } else {
      const delay = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1))
      delayMs = policy.jitter ? Math.round(delay / 2 + (policy.random() * delay) / 2) : delay
    }
    options.onRetry?.({
      provider: model.provider,
      modelId: model.modelId,
      attempt,
      delayMs,
      fromRetryAfter: retryAfterMs !== undefined,
      error,
    })
    await policy.sleep(delayMs, signal)
  }

  return wrapLanguageModel(model, {
    async generate(request) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await model.generate(request)
        } catch (error) {
          await settle(error, attempt, request.signal)
        }
      }
    },
    async *stream(request) {
      let started: StartedStream | undefined
      for (let attempt = 1; started === undefined; attempt++) {
        try {
          started = await startStream(model, request)
        } catch (error) {
          await settle(error, attempt, request.signal)
        }
      }
      yield* resumeStream(started)
    },
  })
}

interface RetryPolicy {
  attempts: number
  initialDelayMs: number
  maxDelayMs: number
  maxRetryAfterMs: number
  jitter: boolean
  shouldRetry: (error: unknown, attempt: number) => boolean
  sleep: Sleep
  random: () => number
}

function retryPolicy(options: ModelRetryOptions): RetryPolicy {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError({
      fn: 'withRetry',
      argument: 'options',
      expected: 'an object',
      received: options,
    })
  }
  const attempts = options.attempts ?? 3
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 100) {
    throw new InvalidArgumentError({
      fn: 'withRetry',
      argument: 'attempts',
      expected: 'an integer from 1 to 100',
      received: attempts,
    })
  }
  const jitter = options.jitter ?? true
  if (typeof jitter !== 'boolean') {
    throw new InvalidArgumentError({
      fn: 'withRetry',
      argument: 'jitter',
      expected: 'a boolean',
      received: jitter,
    })
  }
  for (const name of ['shouldRetry', 'onRetry', 'sleep', 'random'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new InvalidArgumentError({
        fn: 'withRetry',
        argument: name,
        expected: 'a function',
        received: options[name],
      })
    }
  }
  return {
    attempts,
    initialDelayMs: parseDuration(options.initialDelay ?? 500, 'withRetry.initialDelay'),
    maxDelayMs: parseDuration(options.maxDelay ?? 30_000, 'withRetry.maxDelay'),
    maxRetryAfterMs: parseDuration(options.maxRetryAfter ?? 60_000, 'withRetry.maxRetryAfter'),
    jitter,
    shouldRetry: options.shouldRetry ?? isRetryableModelError,
    sleep: options.sleep ?? abortableSleep,
    random: options.random ?? Math.random,
  }
}
