import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createEngine, createWorkflow, type SecretsProviderV1 } from '@tessera/core'
import { startFakeSlack, type FakeSlack } from '../../test/fakes/slack-server'
import { createSlackConnector } from './create-slack-connector'

// The Slack connector as a workflow step: the engine resolves the token's secret reference,
// runs send-message with the step's idempotency key, and a Slack error fails the run with the
// connector's reason.

const token = 'xoxb-2222-engine-token'
let slack: FakeSlack
beforeAll(async () => (slack = await startFakeSlack({ tokens: [token] })))
afterAll(() => slack.close())

const secrets: SecretsProviderV1 = {
  specificationVersion: 'v1',
  provider: 'map',
  get: async (name) => ({ SLACK_BOT_TOKEN: token })[name],
}

describe('the Slack connector as an action node', () => {
  it('posts a message from a workflow, with the token resolved from the secrets provider', async () => {
    const slackConnector = createSlackConnector()
    const workflow = createWorkflow({ id: 'notify-slack', input: z.object({ text: z.string() }) })
      .map(({ input }) => ({ channel: '#general', text: input.text }))
      .action(slackConnector, 'send-message', {
        token: { $secret: 'SLACK_BOT_TOKEN' },
        baseUrl: slack.url,
      })
      .commit()
    const engine = createEngine({ secrets })
    try {
      const run = await engine.start(workflow, { text: 'Deploy finished' })
      expect(await run.result()).toEqual({ channel: 'C0001', ts: expect.any(String) })
      expect(slack.requests.at(-1)?.headers.authorization).toBe(`Bearer ${token}`)
      expect(slack.messages.at(-1)?.metadata).toEqual({
        event_type: 'tessera_step',
        event_payload: { idempotencyKey: expect.stringContaining(run.id) },
      })
      expect(JSON.stringify(workflow.definition)).not.toContain(token)

      const failing = createWorkflow({ id: 'notify-missing', input: z.object({}) })
        .map(() => ({ channel: 'C9999', text: 'x' }))
        .action(slackConnector, 'send-message', {
          token: { $secret: 'SLACK_BOT_TOKEN' },
          baseUrl: slack.url,
        })
        .commit()
      const failed = await engine.start(failing, {})
      await expect(failed.result()).rejects.toMatchObject({
        code: 'step_failed',
        cause: { code: 'connector_error', reason: 'not-found', status: 'channel_not_found' },
      })
    } finally {
      await engine.close()
    }
  })
})
