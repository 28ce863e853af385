import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createEngine, createWorkflow, workflowFromDefinition } from '@tessera/core'
import { validateDefinition } from '@tessera/core/definition'
import { createHttpConnector } from './create-http-connector'

// The HTTP connector placed in a workflow as an action node: the engine runs it against a local
// server, with the node's config (base URL, headers) and the previous output as the request.

let server: Server
let baseUrl: string
const received: { url: string | undefined; headers: IncomingMessage['headers']; body: string }[] =
  []

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString()))
    request.on('end', () => {
      received.push({ url: request.url, headers: request.headers, body })
      response.writeHead(201, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ created: JSON.parse(body || 'null') }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const http = createHttpConnector({ id: 'orders-api' })

describe('the HTTP connector as an action node', () => {
  it('runs the request with the node config; the definition also runs from JSON', async () => {
    const workflow = createWorkflow({ id: 'create-order', input: z.object({ sku: z.string() }) })
      .map(({ input }) => ({ method: 'POST' as const, path: '/orders', body: input }))
      .action(http, 'request', { baseUrl, headers: { 'x-api-key': 'k-1' } })
      .commit()
    const engine = createEngine()
    try {
      const run = await engine.start(workflow, { sku: 'A-1' })
      expect(await run.result()).toMatchObject({ status: 201, body: { created: { sku: 'A-1' } } })
      expect(received.at(-1)).toMatchObject({
        url: '/v1/orders',
        headers: { 'x-api-key': 'k-1', 'idempotency-key': `${run.id}:orders-api.request` },
      })
      // What the designer checks before storing it: the registry describes the config schema.
      const description = engine.registry.describe()
      expect(validateDefinition(workflow.definition, { registry: description }).ok).toBe(true)
      const badConfig = structuredClone(workflow.definition)
      const root = badConfig.root as { children: { config?: Record<string, unknown> }[] }
      root.children[1]!.config = { baseUrl: 'not a url', extra: true }
      expect(
        validateDefinition(badConfig, { registry: description }).issues.map(
          (issue) => `${issue.code} ${issue.path}`,
        ),
      ).toEqual([
        'invalid_config root.children[1].config.baseUrl',
        'invalid_config root.children[1].config',
      ])
      // JSON Schema has no word for "http or https only": the engine's zod check still refuses it.
      root.children[1]!.config = { baseUrl: 'ftp://example.com' }
      expect(validateDefinition(badConfig, { registry: description }).ok).toBe(true)
      const ftp = workflowFromDefinition(badConfig, { registry: engine.registry })
      await expect(engine.start(ftp, { sku: 'C-3' })).rejects.toMatchObject({
        code: 'invalid_definition',
        issues: [expect.objectContaining({ path: 'root.children[1].config.baseUrl' })],
      })
      // The stored definition, read back, runs with the registered connector.
      const fromJson = workflowFromDefinition(JSON.parse(JSON.stringify(workflow.definition)), {
        registry: engine.registry,
      })
      const again = await engine.start(fromJson, { sku: 'B-2' })
      expect(await again.result()).toMatchObject({ status: 201, body: { created: { sku: 'B-2' } } })
    } finally {
      await engine.close()
    }
  })
})
