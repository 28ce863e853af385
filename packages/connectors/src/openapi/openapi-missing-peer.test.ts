import { describe, expect, it, vi } from 'vitest'

// Without the optional peer @readme/openapi-parser, the import says what to install.
vi.doMock('@readme/openapi-parser', () => {
  throw new Error("Cannot find package '@readme/openapi-parser'")
})

describe('createOpenApiConnector without @readme/openapi-parser installed', () => {
  it('throws invalid-config "install @readme/openapi-parser to use the OpenAPI connector"', async () => {
    const { createOpenApiConnector } = await import('./create-openapi-connector')
    await expect(
      createOpenApiConnector({
        id: 'pets',
        document: { openapi: '3.0.3', info: { title: 'x', version: '1' }, paths: {} },
      }),
    ).rejects.toMatchObject({
      code: 'connector_error',
      reason: 'invalid-config',
      message: 'pets.import: install @readme/openapi-parser to use the OpenAPI connector',
    })
  })
})
