import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createEngine, createWorkflow, defineConnector, mapSecrets, secretRef } from '../index'
import { createHttpHandler } from './create-http-handler'

const api = defineConnector({
  id: 'api',
  config: z.object({ token: secretRef({ description: 'API token' }) }).strict(),
  actions: { call: { input: z.unknown(), output: z.unknown(), run: async () => null } },
})

describe('POST /definitions/validate and secrets', () => {
  it('reports secrets no provider has, at the config path, without registering the workflow', async () => {
    const engine = createEngine({
      secrets: mapSecrets({ PRESENT: 'value-present-1' }),
      worker: false,
    })
    engine.register(api)
    try {
      const handler = createHttpHandler(engine, { auth: 'none-insecure' })
      const definitionOf = (secret: string) =>
        createWorkflow({ id: 'checked', input: z.unknown() })
          .action(api, 'call', { token: { $secret: 'PRESENT' } }, { id: 'first' })
          .action(api, 'call', { token: { $secret: secret } }, { id: 'second' })
          .commit().definition
      const validate = async (definition: unknown) => {
        const response = await handler(
          new Request('http://tessera.test/definitions/validate', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ definition }),
          }),
        )
        expect(response.status).toBe(200)
        return (await response.json()) as { valid: boolean; issues: Record<string, unknown>[] }
      }
      const missing = await validate(definitionOf('ABSENT'))
      expect(missing.valid).toBe(false)
      expect(missing.issues).toEqual([
        {
          path: 'root.children[1].config.token',
          code: 'missing_secret',
          severity: 'error',
          message: 'secret "ABSENT" is not known to any secrets provider',
        },
      ])
      expect(await validate(definitionOf('PRESENT'))).toEqual({ valid: true, issues: [] })
      expect(engine.registry.workflows.has('checked')).toBe(false)
    } finally {
      await engine.close()
    }
  })
})
