import { defineConnector } from '@tessera/core'
import { slackConnectorConfigSchema } from './slack-connector-config'
import { createSlackSendMessageAction } from './slack-send-message'
import { createSlackUpdateMessageAction } from './slack-update-message'
import { createSlackListChannelsAction } from './slack-list-channels'
import { createSlackAddReactionAction } from './slack-add-reaction'
import { callSlack } from './slack-web-client'

/** Settings of {@link createSlackConnector}. */
export interface SlackConnectorSettings {
  /** Default `slack`. Give each instance its own id to register several in one engine. */
  id?: string
  /** The fetch the Slack SDK uses. Default: the global `fetch`, looked up at every call. */
  fetch?: typeof globalThis.fetch
}

/**
 * Creates a Slack connector on `@slack/web-api` (an optional peer dependency, loaded on first
 * use): `send-message`, `update-message`, `list-channels` and `add-reaction`, and a `check`
 * that calls `auth.test`. The SDK's own retries are off: a failed call throws a
 * `ConnectorError` at once (`rate-limited` with Slack's `Retry-After`), and the engine's retry
 * policy decides. The step's idempotency key goes into the message metadata.
 *
 * @example
 * ```ts
 * const engine = createEngine({ secrets: envSecrets({ prefix: 'APP_' }) })
 * const workflow = createWorkflow({ id: 'notify', input: z.object({ text: z.string() }) })
 *   .map(({ input }) => ({ channel: '#ops', text: input.text }))
 *   .action(createSlackConnector(), 'send-message', { token: { $secret: 'SLACK_BOT_TOKEN' } })
 *   .commit()
 * ```
 */
export function createSlackConnector(settings: SlackConnectorSettings = {}) {
  const id = settings.id ?? 'slack'
  const actionSettings = { connectorId: id, fetch: settings.fetch }
  return defineConnector({
    id,
    name: 'Slack',
    description: 'Posts, updates and reacts to Slack messages and lists channels (Slack Web API)',
    docs: 'https://tessera.dev/docs/connectors/slack',
    config: slackConnectorConfigSchema,
    actions: {
      'send-message': createSlackSendMessageAction(actionSettings),
      'update-message': createSlackUpdateMessageAction(actionSettings),
      'list-channels': createSlackListChannelsAction(actionSettings),
      'add-reaction': createSlackAddReactionAction(actionSettings),
    },
    async check({ config, signal, logger }) {
      await callSlack(
        config,
        { connector: id, action: 'check', signal, logger, fetch: settings.fetch },
        (client) => client.auth.test(),
      )
    },
  })
}

/**
 * The Slack connector with the default settings (see {@link createSlackConnector}).
 *
 * @example
 * ```ts
 * const { ts } = await slackConnector.actions['send-message'].run({
 *   config: { token: process.env.SLACK_BOT_TOKEN! },
 *   input: { channel: '#ops', text: 'Deploy finished' },
 *   signal: AbortSignal.timeout(10_000),
 *   idempotencyKey: 'deploy-42',
 *   logger: noopLogger,
 * })
 * ```
 */
export const slackConnector = /* @__PURE__ */ createSlackConnector()

/** The connector that {@link createSlackConnector} returns. */
export type SlackConnector = ReturnType<typeof createSlackConnector>
