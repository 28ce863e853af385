import { InvalidArgumentError } from '../errors/invalid-argument-error'
import { parseDuration } from '../runtime/duration'
import type { Engine } from '../runtime/engine'
import type { HttpHandlerOptions } from './http-handler-options'
import type { Authenticator } from './types'

const fn = 'createHttpHandler'

/** Refuses options `createHttpHandler` cannot use, saying what was expected. */
export function checkOptions(engine: Engine, options: HttpHandlerOptions): void {
  if (typeof engine !== 'object' || engine === null || typeof engine.start !== 'function') {
    throw new InvalidArgumentError({
      fn,
      argument: 'engine',
      expected: 'an engine from createEngine()',
      received: engine,
    })
  }
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError({
      fn,
      argument: 'options',
      expected: 'an object with at least `auth`',
      received: options,
    })
  }
  const { auth } = options
  const validAuthenticator = (value: unknown) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Authenticator).authenticate === 'function'
  if (
    auth !== 'none-insecure' &&
    !(Array.isArray(auth)
      ? auth.length > 0 && auth.every(validAuthenticator)
      : validAuthenticator(auth))
  ) {
    throw new InvalidArgumentError({
      fn,
      argument: 'options.auth',
      expected:
        "authenticators (apiKeyAuth(…), jwtAuth(…), { name, authenticate }), or 'none-insecure' for local development",
      received: auth,
    })
  }
  if (options.basePath !== undefined && !/^(\/[A-Za-z0-9._~-]+)*$/.test(options.basePath)) {
    throw new InvalidArgumentError({
      fn,
      argument: 'options.basePath',
      expected: 'a path such as "/api" (no trailing slash)',
      received: options.basePath,
    })
  }
  const bodyBytes = options.limits?.bodyBytes
  if (bodyBytes !== undefined && (!Number.isSafeInteger(bodyBytes) || bodyBytes < 1)) {
    throw new InvalidArgumentError({
      fn,
      argument: 'options.limits.bodyBytes',
      expected: 'a positive integer',
      received: bodyBytes,
    })
  }
  if (options.rateLimit) {
    const { requests, per } = options.rateLimit
    if (!Number.isSafeInteger(requests) || requests < 1) {
      throw new InvalidArgumentError({
        fn,
        argument: 'options.rateLimit.requests',
        expected: 'a positive integer',
        received: requests,
      })
    }
    parseDuration(per, `${fn}.rateLimit.per`)
  }
  for (const name of options.publicRoutes ?? []) {
    if (!['health', 'ready', 'openapi'].includes(name)) {
      throw new InvalidArgumentError({
        fn,
        argument: 'options.publicRoutes',
        expected: '"health", "ready" or "openapi"',
        received: name,
      })
    }
  }
  for (const [name, webhook] of Object.entries(options.webhooks ?? {})) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(name)) {
      throw new InvalidArgumentError({
        fn,
        argument: 'options.webhooks',
        expected: 'names of letters, digits, "_", "." or "-"',
        received: name,
      })
    }
    if (typeof webhook?.workflowId !== 'string' || webhook.workflowId === '') {
      throw new InvalidArgumentError({
        fn,
        argument: `options.webhooks.${name}.workflowId`,
        expected: 'a workflow id',
        received: webhook?.workflowId,
      })
    }
    if (!(
      typeof webhook.secret === 'function' ||
      (typeof webhook.secret === 'string' && webhook.secret.length >= 16)
    )) {
      throw new InvalidArgumentError({
        fn,
        argument: `options.webhooks.${name}.secret`,
        expected: 'a string of at least 16 characters or a function returning one',
        received:
          typeof webhook.secret === 'string'
            ? `a string of ${webhook.secret.length} characters`
            : webhook.secret,
      })
    }
    if (webhook.tolerance !== undefined)
      parseDuration(webhook.tolerance, `${fn}.webhooks.${name}.tolerance`)
  }
}
