import { z } from 'zod'
import { ConnectorError, type ConnectorAction } from '@tessera/core'
import { callSlack, type ResolvedSlackConfig } from './slack-web-client'

const channelTypes = ['public_channel', 'private_channel', 'mpim', 'im'] as const

/**
 * The input schema of the Slack connector's `list-channels` action (`conversations.list`):
 * which conversation types, whether to leave archived ones out, how many at most (the action
 * follows Slack's cursors until it has them), and a cursor to resume from.
 *
 * @example
 * ```ts
 * slackListChannelsInputSchema.parse({ types: ['public_channel'], limit: 500 })
 * ```
 */
export const slackListChannelsInputSchema = z
  .object({
    types: z
      .array(z.enum(channelTypes))
      .min(1)
      .optional()
      .describe('Conversation types. Default: public channels'),
    excludeArchived: z.boolean().optional().describe('Leave archived channels out. Default true'),
    limit: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .describe('At most this many channels, over as many pages as needed. Default 1 000'),
    cursor: z.string().min(1).optional().describe('Resume from a nextCursor of an earlier call'),
  })
  .strict()

const channelSchema = z.object({
  id: z.string().describe('The channel id (C…)'),
  name: z.string().optional().describe('The channel name, without "#"'),
  isPrivate: z.boolean().describe('A private channel'),
  isArchived: z.boolean().describe('An archived channel'),
  numMembers: z.number().optional().describe('Members, when Slack says'),
})

/**
 * The output of `list-channels`: the channels, and `nextCursor` when there are more than
 * `limit` (pass it back as `cursor` to go on).
 *
 * @example
 * ```ts
 * const { channels, nextCursor } = slackListChannelsOutputSchema.parse(output)
 * ```
 */
export const slackListChannelsOutputSchema = z.object({
  channels: z.array(channelSchema),
  nextCursor: z.string().optional().describe('Set when more channels remain'),
})

/** The input of `list-channels`. */
export type SlackListChannelsInput = z.input<typeof slackListChannelsInputSchema>
/** The output of `list-channels`. */
export type SlackListChannelsOutput = z.output<typeof slackListChannelsOutputSchema>

/** Slack's largest page of `conversations.list`. */
const maxPageSize = 200

/**
 * Builds the `list-channels` action.
 *
 * @example
 * ```ts
 * const listChannels = createSlackListChannelsAction({ connectorId: 'slack' })
 * ```
 */
export function createSlackListChannelsAction(settings: {
  connectorId: string
  fetch?: typeof globalThis.fetch | undefined
}): ConnectorAction<
  ResolvedSlackConfig,
  z.output<typeof slackListChannelsInputSchema>,
  SlackListChannelsOutput
> {
  return {
    title: 'List channels',
    description:
      'Lists conversations (conversations.list), following cursors up to a limit; read-only',
    examples: [
      { title: 'Public channels', input: {} },
      {
        title: 'Private ones too',
        input: { types: ['public_channel', 'private_channel'], limit: 500 },
      },
    ],
    input: slackListChannelsInputSchema,
    output: slackListChannelsOutputSchema,
    async run({ config, input, signal, logger }) {
      const action = 'list-channels'
      const limit = input.limit ?? 1_000
      const channels: SlackListChannelsOutput['channels'] = []
      let cursor = input.cursor
      do {
        const page = await callSlack(
          config,
          { connector: settings.connectorId, action, signal, logger, fetch: settings.fetch },
          (client) =>
            client.conversations.list({
              types: (input.types ?? ['public_channel']).join(','),
              exclude_archived: input.excludeArchived ?? true,
              limit: Math.min(maxPageSize, limit - channels.length),
              ...(cursor === undefined ? {} : { cursor }),
            }),
        )
        if (!Array.isArray(page.channels))
          throw new ConnectorError({
            connector: settings.connectorId,
            action,
            reason: 'invalid-response',
            message: 'Slack answered conversations.list without a "channels" array',
          })
        for (const channel of page.channels) {
          if (channels.length === limit) break
          if (typeof channel.id !== 'string') continue
          channels.push({
            id: channel.id,
            ...(channel.name === undefined ? {} : { name: channel.name }),
            isPrivate: channel.is_private === true,
            isArchived: channel.is_archived === true,
            ...(typeof channel.num_members === 'number' ? { numMembers: channel.num_members } : {}),
          })
        }
        const next = page.response_metadata?.next_cursor
        cursor = typeof next === 'string' && next !== '' ? next : undefined
      } while (cursor !== undefined && channels.length < limit)
      return { channels, ...(cursor === undefined ? {} : { nextCursor: cursor }) }
    },
  }
}
