import { z } from 'zod'
import { ConnectorError, type ConnectorAction } from '@tessera/core'
import type { ResolvedTeamsGraphConfig } from './teams-graph-config'
import { graphRequest } from './teams-graph-request'

const graphId = z
  .string()
  .min(1)
  .regex(/^[^/?#]+$/, 'an id without "/", "?" or "#"')

/**
 * The input schema of `send-channel-message`: the team and channel ids, the content (HTML by
 * default), an optional subject, and the id of a message to reply to.
 *
 * @example
 * ```ts
 * teamsChannelMessageInputSchema.parse({ teamId: 'fbe2bf47-…', channelId: '19:4a95…@thread.skype', content: '<b>Deployed</b>' })
 * ```
 */
export const teamsChannelMessageInputSchema = z
  .object({
    teamId: graphId.describe("The team's id (the group id, a GUID)"),
    channelId: graphId.describe("The channel's id, such as 19:…@thread.tacv2"),
    content: z.string().min(1).max(28_000).describe('The message body'),
    contentType: z.enum(['html', 'text']).optional().describe('html (default) or text'),
    subject: z.string().max(255).optional().describe('A subject line for a new thread'),
    replyToId: graphId.optional().describe('Reply in the thread of this message id'),
  })
  .strict()

/**
 * The output of `send-channel-message`: the new message's id, creation time and link.
 *
 * @example
 * ```ts
 * const { id, webUrl } = teamsChannelMessageOutputSchema.parse(output)
 * ```
 */
export const teamsChannelMessageOutputSchema = z.object({
  id: z.string().describe("The message's id"),
  createdDateTime: z.string().optional().describe('When Teams created it (ISO 8601)'),
  webUrl: z.string().optional().describe('A link to the message in Teams'),
})

/**
 * The input schema of `list-channels`: the team id and how many channels at most (the action
 * follows `@odata.nextLink` pages).
 *
 * @example
 * ```ts
 * teamsListChannelsInputSchema.parse({ teamId: 'fbe2bf47-16c8-47cf-b4a5-4b9b187c508b' })
 * ```
 */
export const teamsListChannelsInputSchema = z
  .object({
    teamId: graphId.describe("The team's id (the group id, a GUID)"),
    limit: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .describe('At most this many. Default 1 000'),
  })
  .strict()

/**
 * The output of `list-channels`.
 *
 * @example
 * ```ts
 * const { channels } = teamsListChannelsOutputSchema.parse(output)
 * ```
 */
export const teamsListChannelsOutputSchema = z.object({
  channels: z.array(
    z.object({
      id: z.string().describe("The channel's id"),
      displayName: z.string().describe("The channel's name"),
      membershipType: z.string().optional().describe('standard, private or shared'),
    }),
  ),
})

/** The input of `send-channel-message`. */
export type TeamsChannelMessageInput = z.input<typeof teamsChannelMessageInputSchema>
/** The input of `list-channels`. */
export type TeamsListChannelsInput = z.input<typeof teamsListChannelsInputSchema>

type Settings = { connectorId: string; fetch?: typeof globalThis.fetch | undefined }

/**
 * Builds the Graph connector's `send-channel-message` action: `POST
 * /teams/{team-id}/channels/{channel-id}/messages` (or `…/messages/{id}/replies`).
 *
 * @example
 * ```ts
 * const send = createTeamsChannelMessageAction({ connectorId: 'teams-graph' })
 * ```
 */
export function createTeamsChannelMessageAction(
  settings: Settings,
): ConnectorAction<
  ResolvedTeamsGraphConfig,
  z.output<typeof teamsChannelMessageInputSchema>,
  z.output<typeof teamsChannelMessageOutputSchema>
> {
  const action = 'send-channel-message'
  return {
    title: 'Send a channel message',
    description: 'Posts a message (or a reply) to a Teams channel through Microsoft Graph',
    examples: [
      {
        input: {
          teamId: 'fbe2bf47-16c8-47cf-b4a5-4b9b187c508b',
          channelId: '19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2',
          content: 'Version <b>1.4.2</b> is live',
        },
      },
    ],
    input: teamsChannelMessageInputSchema,
    output: teamsChannelMessageOutputSchema,
    async run({ config, input, signal, idempotencyKey }) {
      const path =
        `/teams/${encodeURIComponent(input.teamId)}/channels/${encodeURIComponent(input.channelId)}/messages` +
        (input.replyToId === undefined ? '' : `/${encodeURIComponent(input.replyToId)}/replies`)
      const message = await graphRequest(
        config,
        { connector: settings.connectorId, action, signal, fetch: settings.fetch },
        'POST',
        path,
        {
          idempotencyKey,
          body: {
            body: { contentType: input.contentType ?? 'html', content: input.content },
            ...(input.subject === undefined ? {} : { subject: input.subject }),
          },
        },
      )
      if (typeof message.id !== 'string')
        throw new ConnectorError({
          connector: settings.connectorId,
          action,
          reason: 'invalid-response',
          message: 'Graph created the message but answered without its "id"',
        })
      return {
        id: message.id,
        ...(typeof message.createdDateTime === 'string'
          ? { createdDateTime: message.createdDateTime }
          : {}),
        ...(typeof message.webUrl === 'string' ? { webUrl: message.webUrl } : {}),
      }
    },
  }
}

/**
 * Builds the Graph connector's `list-channels` action: `GET /teams/{team-id}/channels`,
 * following `@odata.nextLink`.
 *
 * @example
 * ```ts
 * const list = createTeamsListChannelsAction({ connectorId: 'teams-graph' })
 * ```
 */
export function createTeamsListChannelsAction(
  settings: Settings,
): ConnectorAction<
  ResolvedTeamsGraphConfig,
  z.output<typeof teamsListChannelsInputSchema>,
  z.output<typeof teamsListChannelsOutputSchema>
> {
  const action = 'list-channels'
  return {
    title: 'List channels',
    description: "Lists a team's channels through Microsoft Graph; read-only",
    examples: [{ input: { teamId: 'fbe2bf47-16c8-47cf-b4a5-4b9b187c508b' } }],
    input: teamsListChannelsInputSchema,
    output: teamsListChannelsOutputSchema,
    async run({ config, input, signal }) {
      const limit = input.limit ?? 1_000
      const channels: z.output<typeof teamsListChannelsOutputSchema>['channels'] = []
      let next: string | undefined = `/teams/${encodeURIComponent(input.teamId)}/channels`
      while (next !== undefined && channels.length < limit) {
        const page = await graphRequest(
          config,
          { connector: settings.connectorId, action, signal, fetch: settings.fetch },
          'GET',
          next,
        )
        if (!Array.isArray(page.value))
          throw new ConnectorError({
            connector: settings.connectorId,
            action,
            reason: 'invalid-response',
            message: 'Graph answered without a "value" array',
          })
        for (const channel of page.value as Record<string, unknown>[]) {
          if (channels.length === limit) break
          if (typeof channel.id !== 'string') continue
          channels.push({
            id: channel.id,
            displayName: String(channel.displayName ?? ''),
            ...(typeof channel.membershipType === 'string'
              ? { membershipType: channel.membershipType }
              : {}),
          })
        }
        const link = page['@odata.nextLink']
        next = typeof link === 'string' ? link : undefined
      }
      return { channels }
    },
  }
}
