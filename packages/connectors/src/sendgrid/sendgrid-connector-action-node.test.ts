import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createEngine, createWorkflow, type SecretsProviderV1 } from '@tessera/core'
import { startFakeSendgrid, type FakeSendgrid } from '../../test/fakes/sendgrid-server'
import { createSendgridConnector } from './create-sendgrid-connector'

// The SendGrid connector as a workflow step: the API key comes from the secrets provider and
// the request carries the step's idempotency key as a custom arg.

const apiKey = 'SG.engine-key.77'
let sendgrid: FakeSendgrid
beforeAll(async () => (sendgrid = await startFakeSendgrid({ keys: { [apiKey]: ['mail.send'] } })))
afterAll(() => sendgrid.close())

const secrets: SecretsProviderV1 = {
  specificationVersion: 'v1',
  provider: 'map',
  get: async (name) => ({ SENDGRID_API_KEY: apiKey })[name],
}

describe('the SendGrid connector as an action node', () => {
  it('sends the email of a workflow step', async () => {
    const workflow = createWorkflow({ id: 'receipt', input: z.object({ email: z.string() }) })
      .map(({ input }) => ({ to: input.email, subject: 'Your receipt', text: 'Thanks!' }))
      .action(createSendgridConnector(), 'send-email', {
        apiKey: { $secret: 'SENDGRID_API_KEY' },
        from: 'shop@example.com',
        baseUrl: sendgrid.url,
      })
      .commit()
    const engine = createEngine({ secrets })
    try {
      const run = await engine.start(workflow, { email: 'ada@example.com' })
      expect(await run.result()).toEqual({ statusCode: 202, messageId: expect.any(String) })
      const request = sendgrid.requests.at(-1)!
      expect(request.headers.authorization).toBe(`Bearer ${apiKey}`)
      expect(request.body?.custom_args).toEqual({
        tessera_idempotency_key: expect.stringContaining(run.id),
      })
    } finally {
      await engine.close()
    }
  })
})
