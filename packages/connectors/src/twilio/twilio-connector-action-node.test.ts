import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createEngine, createWorkflow, type SecretsProviderV1 } from '@tessera/core'
import { startFakeTwilio, type FakeTwilio } from '../../test/fakes/twilio-server'
import { createTwilioConnector } from './create-twilio-connector'

// The Twilio connector as a workflow step, with the auth token from the secrets provider.

const accountSid = 'ACfedcba9876543210fedcba9876543210'
const authToken = 'engine-twilio-token'
let twilio: FakeTwilio
beforeAll(async () => (twilio = await startFakeTwilio({ accountSid, authToken })))
afterAll(() => twilio.close())

const secrets: SecretsProviderV1 = {
  specificationVersion: 'v1',
  provider: 'map',
  get: async (name) => ({ TWILIO_AUTH_TOKEN: authToken })[name],
}

describe('the Twilio connector as an action node', () => {
  it('sends the SMS of a workflow step; an invalid number fails the run', async () => {
    const connector = createTwilioConnector()
    const config = {
      accountSid,
      authToken: { $secret: 'TWILIO_AUTH_TOKEN' },
      from: '+15005550006',
      baseUrl: twilio.url,
    }
    const workflow = createWorkflow({ id: 'shipped-sms', input: z.object({ phone: z.string() }) })
      .map(({ input }) => ({ to: input.phone, body: 'Your order has shipped.' }))
      .action(connector, 'send-sms', config)
      .commit()
    const engine = createEngine({ secrets })
    try {
      const run = await engine.start(workflow, { phone: '+15558675310' })
      expect(await run.result()).toMatchObject({ status: 'queued', to: '+15558675310' })
      expect(twilio.requests.at(-1)?.form.Body).toEqual(['Your order has shipped.'])
      const invalid = await engine.start(workflow, { phone: '+15005550001' })
      await expect(invalid.result()).rejects.toMatchObject({
        code: 'step_failed',
        cause: { code: 'connector_error', reason: 'invalid-request', status: 21211 },
      })
    } finally {
      await engine.close()
    }
  })
})
