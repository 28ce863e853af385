import { describe, expect, it } from 'vitest'
import { NotFoundError } from './not-found-error'
import { problemDetails, problemResponse } from './problem-response'
import { StepFailedError } from './step-failed-error'
import { UnauthenticatedError } from './unauthenticated-error'
import { ForbiddenError } from './forbidden-error'
import { RateLimitedError } from './rate-limited-error'

describe('problem details', () => {
  it('shows a client error with its status, code and message', async () => {
    const response = problemResponse(new NotFoundError({ kind: 'run', id: 'r1' }))
    expect(response.status).toBe(404)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    expect(await response.json()).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      code: 'not_found',
      detail: 'No run with id "r1"',
    })
  })

  it('hides the message of server errors and of anything that is not a TesseraError', () => {
    const failed = new StepFailedError({
      workflowId: 'w',
      stepId: 's',
      attempts: 1,
      cause: new Error('db password wrong'),
    })
    expect(problemDetails(failed)).toMatchObject({ status: 500, code: 'step_failed' })
    expect(problemDetails(failed).detail).not.toContain('password')
    expect(problemDetails(new Error('secret'))).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      code: 'internal',
      detail: 'The request handler failed; the server log has the details',
    })
  })
})

describe('problem details of the HTTP security errors', () => {
  it('401 carries the WWW-Authenticate challenge, 403 names the permission, 429 Retry-After', async () => {
    const unauthenticated = problemResponse(
      new UnauthenticatedError({ reason: 'API key "k1" was revoked', error: 'invalid_token' }),
    )
    expect(unauthenticated.status).toBe(401)
    expect(unauthenticated.headers.get('www-authenticate')).toBe(
      'Bearer realm="tessera", error="invalid_token"',
    )
    expect(await unauthenticated.json()).toEqual({
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
      code: 'unauthenticated',
      detail: 'Authentication failed: API key "k1" was revoked',
    })

    const forbidden = problemResponse(
      new ForbiddenError({
        principalId: 'u1',
        permission: 'run:cancel',
        resource: { type: 'run', id: 'r1' },
      }),
    )
    expect(forbidden.status).toBe(403)
    expect(forbidden.headers.get('www-authenticate')).toBeNull()
    expect(await forbidden.json()).toMatchObject({
      title: 'Forbidden',
      code: 'forbidden',
      detail: 'Principal "u1" lacks permission "run:cancel" on run "r1"',
    })

    const limited = problemResponse(
      new RateLimitedError({ retryAfterMs: 1001, limit: 5, windowMs: 1000 }),
    )
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('2')
    expect(await limited.json()).toMatchObject({ title: 'Too Many Requests', code: 'rate_limited' })
    expect(
      problemResponse(new RateLimitedError({ retryAfterMs: 0 })).headers.get('retry-after'),
    ).toBe('1')
  })
})
