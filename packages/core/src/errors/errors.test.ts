import { describe, expect, it } from 'vitest'
import {
  ConflictError,
  ControlFlowError,
  DefinitionError,
  InvalidArgumentError,
  NonRetryableError,
  NotFoundError,
  RevivedError,
  RunCancelledError,
  StepFailedError,
  StepTimeoutError,
  StoreError,
  TesseraError,
  ValidationError,
  deserializeError,
  errorCodes,
  httpStatusForError,
  serializeError,
} from '../index'
// Exported by @tessera/core/http (its security module re-exports them), not the main entry.
import { ForbiddenError, RateLimitedError, UnauthenticatedError } from './index'

const samples = () => ({
  invalid: new InvalidArgumentError({
    fn: 'createStep',
    argument: 'id',
    expected: 'a string',
    received: 42,
  }),
  validation: new ValidationError({
    workflowId: 'w',
    stepId: 's',
    target: 'input',
    issues: [{ path: 'a.b', expected: 'string', received: 'number', message: 'bad' }],
  }),
  definition: new DefinitionError({
    workflowId: 'w',
    issues: [{ path: 'root.children[0].step', message: 'unknown step "x"' }],
  }),
  notFound: new NotFoundError({ kind: 'workflow', id: 'x', known: ['a', 'b'] }),
  conflict: new ConflictError('already there'),
  stepFailed: new StepFailedError({
    workflowId: 'w',
    stepId: 's',
    attempts: 3,
    cause: new Error('root cause'),
  }),
  timeout: new StepTimeoutError({ stepId: 's', timeoutMs: 250 }),
  cancelled: new RunCancelledError({ runId: 'r1', reason: 'user' }),
  nonRetryable: new NonRetryableError('give up'),
  controlFlow: new ControlFlowError({
    workflowId: 'w',
    nodeId: 'loop-1',
    reason: 'loop_limit',
    message: 'too many',
  }),
  store: new StoreError('memory', 'corrupt', { retryable: true }),
})

describe('error classes', () => {
  it('have stable codes, names and HTTP statuses', () => {
    const table = Object.values(samples()).map((error) => [
      error.name,
      error.code,
      httpStatusForError(error),
    ])
    expect(table).toEqual([
      ['InvalidArgumentError', 'invalid_argument', 400],
      ['ValidationError', 'validation_failed', 422],
      ['DefinitionError', 'invalid_definition', 422],
      ['NotFoundError', 'not_found', 404],
      ['ConflictError', 'conflict', 409],
      ['StepFailedError', 'step_failed', 500],
      ['StepTimeoutError', 'step_timeout', 504],
      ['RunCancelledError', 'run_cancelled', 409],
      ['NonRetryableError', 'non_retryable', 500],
      ['ControlFlowError', 'control_flow', 500],
      ['StoreError', 'store_error', 503],
    ])
    for (const error of Object.values(samples())) {
      expect(error).toBeInstanceOf(TesseraError)
      expect(error).toBeInstanceOf(Error)
      expect(Object.keys(errorCodes)).toContain(error.code)
    }
  })

  it('format clear messages', () => {
    const s = samples()
    expect(s.invalid.message).toBe('createStep: "id" must be a string, received 42')
    expect(s.validation.message).toBe(
      'Step "s" in workflow "w" received invalid input at "a.b": expected string, received number',
    )
    expect(s.definition.message).toBe(
      'Workflow "w" is invalid (1 problem): root.children[0].step: unknown step "x"',
    )
    expect(s.notFound.message).toBe('No workflow with id "x"; known: "a", "b"')
    expect(s.stepFailed.message).toBe(
      'Step "s" in workflow "w" failed after 3 attempts: root cause',
    )
    expect(s.timeout.message).toBe('Step "s" timed out after 250 ms')
    expect(s.cancelled.message).toBe('Run "r1" was cancelled: user')
    expect(new RunCancelledError({ runId: 'r2' }).message).toBe('Run "r2" was cancelled')
    expect(s.controlFlow.message).toBe('Node "loop-1" in workflow "w": too many')
    expect(s.store.message).toBe('[memory] corrupt')
  })

  it('NotFoundError lists at most ten known ids', () => {
    const known = Array.from({ length: 12 }, (_, index) => `w${index}`)
    const error = new NotFoundError({ kind: 'step', id: 'nope', known })
    expect(error.message).toContain('"w9", …')
    expect(error.message).not.toContain('"w10"')
  })

  it('ValidationError shows five issues and counts the rest', () => {
    const issues = Array.from({ length: 7 }, (_, index) => ({
      path: `p${index}`,
      message: `problem ${index}`,
    }))
    const error = new ValidationError({ target: 'input', issues })
    expect(error.message).toMatch(/^Value received invalid input at "p0": problem 0; /)
    expect(error.message).toContain('at "p4": problem 4 (and 2 more)')
    expect(error.message).not.toContain('p5')
  })

  it('retryable defaults: only timeouts (and explicit opt-ins) are retryable', () => {
    const s = samples()
    expect(s.timeout.retryable).toBe(true)
    expect(s.store.retryable).toBe(true)
    expect(s.nonRetryable.retryable).toBe(false)
    expect(s.stepFailed.retryable).toBe(false)
    expect(new NonRetryableError('x', { cause: new Error('y') }).retryable).toBe(false)
  })
})

describe('toJSON and serializeError', () => {
  it('toJSON carries code, message, retryable, details and the cause chain', () => {
    const inner = new StepTimeoutError({ stepId: 's', timeoutMs: 5 })
    const error = new StepFailedError({ workflowId: 'w', stepId: 's', attempts: 2, cause: inner })
    const json = error.toJSON()
    expect(json).toEqual({
      name: 'StepFailedError',
      code: 'step_failed',
      message: 'Step "s" in workflow "w" failed after 2 attempts: Step "s" timed out after 5 ms',
      retryable: false,
      details: { workflowId: 'w', stepId: 's', attempts: 2 },
      cause: {
        name: 'StepTimeoutError',
        code: 'step_timeout',
        message: 'Step "s" timed out after 5 ms',
        retryable: true,
        details: { stepId: 's', timeoutMs: 5 },
      },
    })
    expect(JSON.parse(JSON.stringify(error))).toEqual(json)
  })

  it('serializes plain errors and non-errors as internal', () => {
    expect(serializeError(new RangeError('out'))).toEqual({
      name: 'RangeError',
      code: 'internal',
      message: 'out',
      retryable: true,
    })
    expect(serializeError('text')).toEqual({
      name: 'Error',
      code: 'internal',
      message: 'text',
      retryable: true,
    })
    expect(serializeError(undefined).message).toBe('undefined')
    const withCause = new ConflictError('x')
    expect(withCause.toJSON()).not.toHaveProperty('cause')
    const nonError = new StepFailedError({ workflowId: 'w', stepId: 's', attempts: 1, cause: 42 })
    expect(nonError.toJSON().cause).toEqual({ name: 'Unknown', message: '42' })
    expect(nonError.message).toBe('Step "s" in workflow "w" failed after 1 attempt: 42')
  })

  it('deserializeError round-trips code, message, name, details, retryable and causes', () => {
    for (const error of Object.values(samples())) {
      const revived = deserializeError(JSON.parse(JSON.stringify(serializeError(error))))
      expect(revived).toBeInstanceOf(RevivedError)
      expect(TesseraError.isInstance(revived)).toBe(true)
      expect(revived.code).toBe(error.code)
      expect(revived.name).toBe(error.name)
      expect(revived.message).toBe(error.message)
      expect(revived.retryable).toBe(error.retryable)
      // nothing is lost (a plain cause comes back as an internal TesseraError, so it gains a code)
      expect(revived.toJSON()).toMatchObject(error.toJSON())
      expect(httpStatusForError(revived)).toBe(httpStatusForError(error))
    }
    const revived = deserializeError(samples().stepFailed.toJSON())
    expect(StepFailedError.isInstance(revived)).toBe(true)
    expect(revived.cause).toBeInstanceOf(RevivedError)
    expect((revived.cause as Error).message).toBe('root cause')
  })
})

describe('isInstance across copies of the package', () => {
  // What another copy of @tessera/core (a second version in node_modules) would throw: not an
  // instance of this copy's classes, but carrying the same global marker.
  class ForeignError extends Error {
    constructor(
      readonly code: string,
      message: string,
      readonly retryable = false,
    ) {
      super(message)
      this.name = 'ForeignError'
      ;(this as Record<symbol, unknown>)[Symbol.for('tessera.error')] = true
    }
    toJSON() {
      return {
        name: this.name,
        code: this.code,
        message: this.message,
        retryable: this.retryable,
        details: { foreign: true },
      }
    }
  }

  it('recognises a foreign error by its marker and code', () => {
    const foreign = new ForeignError('not_found', 'No run with id "r"')
    expect(foreign instanceof TesseraError).toBe(false)
    expect(TesseraError.isInstance(foreign)).toBe(true)
    expect(NotFoundError.isInstance(foreign)).toBe(true)
    expect(ConflictError.isInstance(foreign)).toBe(false)
    expect(httpStatusForError(foreign)).toBe(404)
    expect(httpStatusForError(new ForeignError('made_up', 'x'))).toBe(500)
    expect(serializeError(foreign)).toEqual({
      name: 'ForeignError',
      code: 'not_found',
      message: 'No run with id "r"',
      retryable: false,
      details: { foreign: true },
    })
  })

  it('every subclass checks the code, not the class', () => {
    const pairs: [{ isInstance(value: unknown): boolean }, string][] = [
      [ValidationError, 'validation_failed'],
      [DefinitionError, 'invalid_definition'],
      [StepFailedError, 'step_failed'],
      [StepTimeoutError, 'step_timeout'],
      [RunCancelledError, 'run_cancelled'],
      [NonRetryableError, 'non_retryable'],
      [ControlFlowError, 'control_flow'],
      [StoreError, 'store_error'],
    ]
    for (const [type, code] of pairs) {
      expect(type.isInstance(new ForeignError(code, 'x'))).toBe(true)
      expect(type.isInstance(new ForeignError('conflict', 'x'))).toBe(false)
    }
  })

  it('rejects look-alikes without the marker', () => {
    expect(TesseraError.isInstance({ code: 'not_found', message: 'x' })).toBe(false)
    expect(NotFoundError.isInstance(Object.assign(new Error('x'), { code: 'not_found' }))).toBe(
      false,
    )
    expect(TesseraError.isInstance(null)).toBe(false)
    expect(TesseraError.isInstance('not_found')).toBe(false)
    expect(httpStatusForError(new Error('plain'))).toBe(500)
  })
})

describe('HTTP security errors', () => {
  it('UnauthenticatedError: 401, a Bearer challenge by default, invalid_token when credentials were refused', () => {
    const missing = new UnauthenticatedError({ reason: 'no credentials' })
    expect([missing.name, missing.code, httpStatusForError(missing)]).toEqual([
      'UnauthenticatedError',
      'unauthenticated',
      401,
    ])
    expect(missing.message).toBe('Authentication failed: no credentials')
    expect(missing.wwwAuthenticate).toBe('Bearer realm="tessera"')
    expect(missing.retryable).toBe(false)
    const refused = new UnauthenticatedError({
      reason: 'token expired',
      error: 'invalid_token',
      realm: 'my "app"',
    })
    expect(refused.wwwAuthenticate).toBe('Bearer realm="my app", error="invalid_token"')
    expect(
      new UnauthenticatedError({ reason: 'x', challenge: 'Basic realm="a"' }).wwwAuthenticate,
    ).toBe('Basic realm="a"')
    expect(refused.toJSON().details).toEqual({ wwwAuthenticate: refused.wwwAuthenticate })
  })

  it('ForbiddenError: 403, names the principal, the permission and the resource', () => {
    const error = new ForbiddenError({
      principalId: 'user:7',
      permission: 'run:cancel',
      resource: { type: 'run', id: 'r1', workflowId: 'orders' },
    })
    expect([error.name, error.code, httpStatusForError(error)]).toEqual([
      'ForbiddenError',
      'forbidden',
      403,
    ])
    expect(error.message).toBe(
      'Principal "user:7" lacks permission "run:cancel" on run "r1" (workflow "orders")',
    )
    expect(error.toJSON().details).toEqual({
      permission: 'run:cancel',
      resource: { type: 'run', id: 'r1', workflowId: 'orders' },
      principalId: 'user:7',
    })
    expect(
      new ForbiddenError({ permission: 'audit:read', resource: { type: 'audit' } }).message,
    ).toBe('The caller lacks permission "audit:read" on audit')
    expect(
      new ForbiddenError({
        permission: 'workflow:run',
        resource: { type: 'workflow', id: 'orders', workflowId: 'orders' },
      }).message,
    ).toBe('The caller lacks permission "workflow:run" on workflow "orders"')
  })

  it('RateLimitedError: 429, retryable, retryAfterMs rounded up to whole ms', () => {
    const error = new RateLimitedError({ retryAfterMs: 1199.2, limit: 100, windowMs: 60_000 })
    expect([error.name, error.code, httpStatusForError(error)]).toEqual([
      'RateLimitedError',
      'rate_limited',
      429,
    ])
    expect(error.retryable).toBe(true)
    expect(error.retryAfterMs).toBe(1200)
    expect(error.message).toBe(
      'Rate limit of 100 requests per 60000 ms exceeded; retry after 1200 ms',
    )
    expect(new RateLimitedError({ retryAfterMs: -5 }).message).toBe(
      'Rate limit exceeded; retry after 0 ms',
    )
    expect(error.toJSON().details).toEqual({ retryAfterMs: 1200, limit: 100, windowMs: 60_000 })
  })

  it('survive serialization and another copy of the package', () => {
    const errors = [
      new UnauthenticatedError({ reason: 'x' }),
      new ForbiddenError({ permission: 'p', resource: { type: 't' } }),
      new RateLimitedError({ retryAfterMs: 5 }),
    ]
    const checks = [UnauthenticatedError, ForbiddenError, RateLimitedError]
    errors.forEach((error, index) => {
      const revived = deserializeError(JSON.parse(JSON.stringify(serializeError(error))))
      expect(httpStatusForError(revived)).toBe(httpStatusForError(error))
      expect(revived.toJSON()).toMatchObject(error.toJSON())
      expect(checks[index]!.isInstance(revived)).toBe(true)
      expect(checks[(index + 1) % 3]!.isInstance(revived)).toBe(false)
    })
  })
})
