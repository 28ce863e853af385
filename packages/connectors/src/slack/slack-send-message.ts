import { z } from 'zod'
import type { ConnectorAction } from '@tessera/core'
import { callSlack, slackField, type ResolvedSlackConfig } from './slack-web-client'

const blocksSchema = z
  .array(z.record(z.string(), z.unknown()))
  .max(50)
  .describe('Block Kit blocks (at most 50); `text` is then the notification fallback')

/**
 * The input schema of the Slack connector's `send-message` action (`chat.postMessage`): the
 * channel (an id such as `C0123456789`, or a name such as `#ops`), the text and/or Block Kit
 * blocks, and optionally the `thread_ts` of a message to reply to.
 *
 * @example
 * ```ts
 * slackSendMessageInputSchema.parse({ channel: '#ops', text: 'Deploy finished' })
 * ```
 */
export const slackSendMessageInputSchema = z
  .object({
    channel: z.string().min(1).describe('Channel id (C…), DM id (D…) or #name'),
    text: z.string().min(1).max(40_000).optional().describe('The message text (mrkdwn)'),
    blocks: blocksSchema.optional(),
    thread_ts: z
      .string()
      .regex(/^\d+\.\d+$/, 'a Slack timestamp such as "1712345678.000100"')
      .optional()
      .describe('Reply in the thread of this message'),
    reply_broadcast: z
      .boolean()
      .optional()
      .describe('With thread_ts: also show the reply in the channel'),
    unfurl_links: z.boolean().optional().describe('Unfurl links to text-based content'),
  })
  .strict()
  .refine((input) => input.text !== undefined || input.blocks !== undefined, {
    message: 'a message needs "text" or "blocks"',
    path: ['text'],
  })

/**
 * The output of `send-message`: the channel id the message went to and the message's `ts`
 * (its id, used to update, thread under or react to it).
 *
 * @example
 * ```ts
 * const { channel, ts } = slackMessageOutputSchema.parse(output)
 * ```
 */
export const slackMessageOutputSchema = z.object({
  channel: z.string().describe('The channel id'),
  ts: z.string().describe("The message's timestamp, its id within the channel"),
})

/** The input of `send-message`. */
export type SlackSendMessageInput = z.input<typeof slackSendMessageInputSchema>
/** The output of `send-message` and `update-message`. */
export type SlackMessageOutput = z.output<typeof slackMessageOutputSchema>

/**
 * The message metadata that carries a step's idempotency key: Slack has no idempotency header,
 * so the key travels with the message, where `conversations.history` (with
 * `include_all_metadata`) and Events API consumers can read it.
 *
 * @example
 * ```ts
 * idempotencyMetadata('run-1:notify') // { event_type: 'tessera_step', event_payload: { idempotencyKey: 'run-1:notify' } }
 * ```
 */
export function idempotencyMetadata(idempotencyKey: string) {
  return { event_type: 'tessera_step', event_payload: { idempotencyKey } }
}

/**
 * Builds the `send-message` action.
 *
 * @example
 * ```ts
 * const sendMessage = createSlackSendMessageAction({ connectorId: 'slack' })
 * ```
 */
export function createSlackSendMessageAction(settings: {
  connectorId: string
  fetch?: typeof globalThis.fetch | undefined
}): ConnectorAction<
  ResolvedSlackConfig,
  z.output<typeof slackSendMessageInputSchema>,
  SlackMessageOutput
> {
  return {
    title: 'Send a message',
    description:
      'Posts a message to a channel, DM or thread (chat.postMessage) and returns its channel and ts',
    examples: [
      { title: 'A text message', input: { channel: '#ops', text: 'Deploy finished :rocket:' } },
      {
        title: 'Blocks in a thread',
        input: {
          channel: 'C0123456789',
          thread_ts: '1712345678.000100',
          text: 'Order shipped',
          blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Order 42* shipped' } }],
        },
      },
    ],
    input: slackSendMessageInputSchema,
    output: slackMessageOutputSchema,
    async run({ config, input, signal, idempotencyKey, logger }) {
      const result = await callSlack(
        config,
        {
          connector: settings.connectorId,
          action: 'send-message',
          signal,
          logger,
          fetch: settings.fetch,
        },
        (client) =>
          client.chat.postMessage({
            ...input,
            metadata: idempotencyMetadata(idempotencyKey),
          } as Parameters<typeof client.chat.postMessage>[0]),
      )
      return {
        channel: slackField(result, 'channel', settings.connectorId, 'send-message'),
        ts: slackField(result, 'ts', settings.connectorId, 'send-message'),
      }
    },
  }
}
