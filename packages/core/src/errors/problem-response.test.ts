import { describe, expect, it } from 'vitest'
import { NotFoundError } from './not-found-error'
import { problemDetails, problemResponse } from './problem-response'
import { StepFailedError } from './step-failed-error'

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
