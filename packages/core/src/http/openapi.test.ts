import { compileErrors, validate } from '@readme/openapi-parser'
import { afterAll, describe, expect, it } from 'vitest'
import { createHttpKit, httpCases, type HttpKit } from '../../test/http-kit'

const kits: HttpKit[] = []
afterAll(async () => {
  await Promise.all(kits.map((kit) => kit.close()))
})

type Operation = {
  operationId: string
  responses: Record<string, unknown>
  parameters: { name: string; in: string }[]
}

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document (@readme/openapi-parser)', async () => {
    const kit = createHttpKit()
    kits.push(kit)
    const document = kit.handler.openapi()
    expect(document.openapi).toBe('3.1.0')
    const result = await validate(structuredClone(document) as never)
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true)
  })

  it('GET /openapi.json serves it, public when the host says so', async () => {
    const kit = createHttpKit({ publicRoutes: ['health', 'ready', 'openapi'], basePath: '/api' })
    kits.push(kit)
    const response = await kit.call('GET', '/api/openapi.json', { as: null })
    expect(response.status).toBe(200)
    const document = (await response.json()) as { paths: Record<string, unknown> }
    expect(document.paths['/api/runs']).toBeDefined()
    expect((await kit.call('GET', '/openapi.json', { as: null })).status).toBe(404)
  })

  it('lists every route of the table once and nothing else; every documented status is produced', async () => {
    const kit = createHttpKit()
    kits.push(kit)
    const document = kit.handler.openapi() as { paths: Record<string, Record<string, Operation>> }
    const documented = new Map<string, { method: string; path: string; statuses: string[] }>()
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(documented.has(operation.operationId), operation.operationId).toBe(false)
        documented.set(operation.operationId, {
          method: method.toUpperCase(),
          path,
          statuses: Object.keys(operation.responses),
        })
        // Every path template parameter is declared.
        for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
          expect(
            operation.parameters.some((p) => p.in === 'path' && p.name === name),
            `${operation.operationId} ${name}`,
          ).toBe(true)
        }
      }
    }
    const routes = kit.handler.routes
    expect([...documented.keys()].sort()).toEqual(routes.map((route) => route.id).sort())
    for (const route of routes) {
      expect(documented.get(route.id)).toMatchObject({ method: route.method, path: route.path })
    }

    // Walk: run every case, then each documented (route, status) must have been produced.
    const produced = new Set<string>()
    for (const testCase of httpCases(routes)) {
      const caseKit = createHttpKit()
      kits.push(caseKit)
      const response = await testCase.send(caseKit)
      await response.body?.cancel()
      if (response.status === testCase.status) produced.add(`${testCase.route} ${response.status}`)
    }
    const missing: string[] = []
    for (const [id, { statuses }] of documented) {
      for (const status of statuses)
        if (!produced.has(`${id} ${status}`)) missing.push(`${id} ${status}`)
    }
    expect(missing).toEqual([])
    // And nothing undocumented was produced.
    const extra = [...produced].filter((key) => {
      const [id, status] = key.split(' ') as [string, string]
      return !documented.get(id)?.statuses.includes(status)
    })
    expect(extra).toEqual([])
  })
})
