import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createEngine, createWorkflow, type SecretsProviderV1 } from '@tessera/core'
import { startFakeTeams, type FakeTeams } from '../../test/fakes/teams-server'
import { createTeamsConnector, createTeamsGraphConnector } from './create-teams-connector'

// Both Teams connectors as workflow steps; the webhook URL and the Graph token come from the
// secrets provider and never appear in the stored definition.

const teamId = 'team-7'
let teams: FakeTeams
let secrets: SecretsProviderV1
beforeAll(async () => {
  teams = await startFakeTeams({ token: 'graph-engine-token', teamId })
  const table: Record<string, string> = {
    TEAMS_WEBHOOK_URL: `${teams.url}/webhook/ok`,
    GRAPH_TOKEN: 'graph-engine-token',
  }
  secrets = { specificationVersion: 'v1', provider: 'map', get: async (name) => table[name] }
})
afterAll(() => teams.close())

describe('the Teams connectors as action nodes', () => {
  it('posts through the webhook, then through Graph', async () => {
    const workflow = createWorkflow({ id: 'notify-teams', input: z.object({ text: z.string() }) })
      .map(({ input }) => ({ title: 'Deploy', text: input.text }))
      .action(createTeamsConnector(), 'send-message', {
        webhookUrl: { $secret: 'TEAMS_WEBHOOK_URL' },
      })
      .map(() => ({ teamId, channelId: '19:channel1@thread.tacv2', content: 'posted' }))
      .action(createTeamsGraphConnector(), 'send-channel-message', {
        token: { $secret: 'GRAPH_TOKEN' },
        baseUrl: `${teams.url}/v1.0`,
      })
      .commit()
    const engine = createEngine({ secrets })
    try {
      const run = await engine.start(workflow, { text: 'v2 is live' })
      expect(await run.result()).toMatchObject({ id: expect.any(String) })
      const [webhook, message] = teams.requests.slice(-2)
      expect(webhook?.path).toBe('/webhook/ok')
      expect(webhook?.headers['idempotency-key']).toContain(run.id)
      expect(message?.headers.authorization).toBe('Bearer graph-engine-token')
      expect(JSON.stringify(workflow.definition)).not.toContain('/webhook/ok')
      expect(JSON.stringify(workflow.definition)).not.toContain('graph-engine-token')
    } finally {
      await engine.close()
    }
  })
})
