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
  checkResponseHeaders(options.responseHeaders)
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

/** Names the handler sets itself: `responseHeaders` may not change them. */
const handlerHeaders =
  /^(content-type|content-length|transfer-encoding|x-request-id|set-cookie|access-control-.*|vary)$/
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
// Visible ASCII, space, tab and obs-text: no CR, LF or NUL (response splitting).
const headerValue = /^[\t\x20-\x7e\x80-\xff]*$/

function checkResponseHeaders(headers: HttpHandlerOptions['responseHeaders']): void {
  if (headers === undefined) return
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    throw new InvalidArgumentError({
      fn,
      argument: 'options.responseHeaders',
      expected:
        "an object of header names to values or false, such as { 'referrer-policy': 'no-referrer' }",
      received: headers,
    })
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!headerName.test(name)) {
      throw new InvalidArgumentError({
        fn,
        argument: 'options.responseHeaders',
        expected: "header names made of letters, digits and !#$%&'*+.^_`|~-",
        received: name,
      })
    }
    if (handlerHeaders.test(name.toLowerCase())) {
      throw new InvalidArgumentError({
        fn,
        argument: `options.responseHeaders.${name}`,
        expected:
          'a header the handler does not set itself (Content-Type, Content-Length, X-Request-Id, Set-Cookie, Vary and the CORS headers are its own; CORS is configured with `cors`)',
        received: name,
      })
    }
    if (value !== false && (typeof value !== 'string' || !headerValue.test(value))) {
      throw new InvalidArgumentError({
        fn,
        argument: `options.responseHeaders.${name}`,
        expected: 'a header value (no line breaks) or false to drop the header',
        received: value,
      })
    }
  }
}
