import { defineConnector } from '@tessera/core'
import { teamsWebhookConfigSchema } from './teams-webhook-config'
import { createTeamsSendMessageAction } from './teams-send-message'
import { teamsGraphConfigSchema } from './teams-graph-config'
import {
  createTeamsChannelMessageAction,
  createTeamsListChannelsAction,
} from './teams-graph-actions'

/** Settings of {@link createTeamsConnector} and {@link createTeamsGraphConnector}. */
export interface TeamsConnectorSettings {
  /** Default `teams` (`teams-graph` for the Graph connector). */
  id?: string
  /** Default: the global `fetch`, looked up at every request. */
  fetch?: typeof globalThis.fetch
}

/**
 * Creates the Microsoft Teams webhook connector: `send-message` posts text or an Adaptive Card
 * to the channel of a Teams Workflows webhook or incoming webhook, with `fetch` (no SDK). The
 * webhook URL is the credential. The step's idempotency key goes in an `Idempotency-Key` header,
 * which a Workflows flow can read to drop duplicates. There is no `check`: the only way to test
 * a webhook is to post to it.
 *
 * @example
 * ```ts
 * const workflow = createWorkflow({ id: 'notify-teams', input: z.object({ text: z.string() }) })
 *   .map(({ input }) => ({ title: 'Deploy', text: input.text }))
 *   .action(createTeamsConnector(), 'send-message', { webhookUrl: { $secret: 'TEAMS_WEBHOOK_URL' } })
 *   .commit()
 * ```
 */
export function createTeamsConnector(settings: TeamsConnectorSettings = {}) {
  const id = settings.id ?? 'teams'
  return defineConnector({
    id,
    name: 'Microsoft Teams (webhook)',
    description: 'Posts messages and Adaptive Cards to a Teams channel through its webhook',
    docs: 'https://tessera.dev/docs/connectors/teams',
    config: teamsWebhookConfigSchema,
    actions: {
      'send-message': createTeamsSendMessageAction({ connectorId: id, fetch: settings.fetch }),
    },
  })
}

/**
 * Creates the Microsoft Teams Graph connector: `send-channel-message` (`POST
 * /teams/{id}/channels/{id}/messages`, or a reply) and `list-channels`, with a Graph access
 * token. The step's idempotency key becomes the `client-request-id` (a GUID derived from it).
 *
 * @example
 * ```ts
 * const teams = createTeamsGraphConnector()
 * engine.register(teams)
 * ```
 */
export function createTeamsGraphConnector(settings: TeamsConnectorSettings = {}) {
  const id = settings.id ?? 'teams-graph'
  const actionSettings = { connectorId: id, fetch: settings.fetch }
  return defineConnector({
    id,
    name: 'Microsoft Teams (Graph)',
    description: 'Posts channel messages and lists channels through Microsoft Graph',
    docs: 'https://tessera.dev/docs/connectors/teams#graph',
    config: teamsGraphConfigSchema,
    actions: {
      'send-channel-message': createTeamsChannelMessageAction(actionSettings),
      'list-channels': createTeamsListChannelsAction(actionSettings),
    },
  })
}

/**
 * The Teams webhook connector with the default settings (see {@link createTeamsConnector}).
 *
 * @example
 * ```ts
 * await teamsConnector.actions['send-message'].run({
 *   config: { webhookUrl: process.env.TEAMS_WEBHOOK_URL! },
 *   input: { text: 'Deploy finished' },
 *   signal: AbortSignal.timeout(10_000),
 *   idempotencyKey: 'deploy-42',
 *   logger: noopLogger,
 * })
 * ```
 */
export const teamsConnector = /* @__PURE__ */ createTeamsConnector()

/**
 * The Teams Graph connector with the default settings (see {@link createTeamsGraphConnector}).
 *
 * @example
 * ```ts
 * engine.register(teamsGraphConnector)
 * ```
 */
export const teamsGraphConnector = /* @__PURE__ */ createTeamsGraphConnector()

/** The connector that {@link createTeamsConnector} returns. */
export type TeamsConnector = ReturnType<typeof createTeamsConnector>
/** The connector that {@link createTeamsGraphConnector} returns. */
export type TeamsGraphConnector = ReturnType<typeof createTeamsGraphConnector>
