import { afterEach, describe, expect, it } from 'vitest'
import { createHttpKit, httpCases, type HttpKit } from '../../test/http-kit'
import { httpRoutes } from './create-http-handler'

const kits: HttpKit[] = []
afterEach(async () => {
  await Promise.all(kits.splice(0).map((kit) => kit.close()))
})

describe('every route: happy path and its 400/401/403/404/409/413/422 paths', () => {
  const cases = httpCases(httpRoutes)
  it.each(cases.map((c) => [`${c.route} → ${c.status} (${c.name})`, c] as const))(
    '%s',
    async (_name, testCase) => {
      const kit = createHttpKit()
      kits.push(kit)
      const response = await testCase.send(kit)
      const text = await response.clone().text()
      expect(response.status, text).toBe(testCase.status)
      expect(response.headers.get('x-request-id')).toBeTruthy()
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
      // A 503 of /ready is its documented JSON answer, not a problem.
      if (testCase.status >= 400 && testCase.route !== 'ready') {
        expect(response.headers.get('content-type')).toBe('application/problem+json')
        const problem = JSON.parse(text)
        expect(problem).toMatchObject({ status: testCase.status, type: 'about:blank' })
        expect(typeof problem.code).toBe('string')
        expect(text).not.toMatch(/\bat .+\.ts:\d+/)
        if (testCase.status === 400) expect(problem.errors?.length).toBeGreaterThan(0)
        if (testCase.status === 401) expect(response.headers.get('www-authenticate')).toBeTruthy()
      }
      await testCase.check?.(response, kit)
    },
  )
})
