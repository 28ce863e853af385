import { z } from 'zod'
import type { ConnectorAction } from '@tessera/core'
import { callSlack, slackField, type ResolvedSlackConfig } from './slack-web-client'
import {
  idempotencyMetadata,
  slackMessageOutputSchema,
  type SlackMessageOutput,
} from './slack-send-message'

/**
 * The input schema of the Slack connector's `update-message` action (`chat.update`): the
 * channel id and `ts` of a message the token's app posted, and its new text and/or blocks.
 *
 * @example
 * ```ts
 * slackUpdateMessageInputSchema.parse({ channel: 'C0123456789', ts: '1712345678.000100', text: 'Deploy finished (2 min)' })
 * ```
 */
export const slackUpdateMessageInputSchema = z
  .object({
    channel: z.string().min(1).describe('The channel id of the message (C…)'),
    ts: z
      .string()
      .regex(/^\d+\.\d+$/, 'a Slack timestamp such as "1712345678.000100"')
      .describe("The message's ts, as send-message returned it"),
    text: z.string().min(1).max(40_000).optional().describe('The new text (mrkdwn)'),
    blocks: z
      .array(z.record(z.string(), z.unknown()))
      .max(50)
      .optional()
      .describe('The new Block Kit blocks'),
  })
  .strict()
  .refine((input) => input.text !== undefined || input.blocks !== undefined, {
    message: 'an update needs "text" or "blocks"',
    path: ['text'],
  })

/** The input of `update-message`. */
export type SlackUpdateMessageInput = z.input<typeof slackUpdateMessageInputSchema>

/**
 * Builds the `update-message` action.
 *
 * @example
 * ```ts
 * const updateMessage = createSlackUpdateMessageAction({ connectorId: 'slack' })
 * ```
 */
export function createSlackUpdateMessageAction(settings: {
  connectorId: string
  fetch?: typeof globalThis.fetch | undefined
}): ConnectorAction<
  ResolvedSlackConfig,
  z.output<typeof slackUpdateMessageInputSchema>,
  SlackMessageOutput
> {
  return {
    title: 'Update a message',
    description: 'Replaces the text and/or blocks of a message the app posted (chat.update)',
    examples: [
      {
        input: { channel: 'C0123456789', ts: '1712345678.000100', text: 'Deploy finished (2 min)' },
      },
    ],
    input: slackUpdateMessageInputSchema,
    output: slackMessageOutputSchema,
    async run({ config, input, signal, idempotencyKey, logger }) {
      const action = 'update-message'
      const result = await callSlack(
        config,
        { connector: settings.connectorId, action, signal, logger, fetch: settings.fetch },
        (client) =>
          client.chat.update({
            ...input,
            metadata: idempotencyMetadata(idempotencyKey),
          } as Parameters<typeof client.chat.update>[0]),
      )
      return {
        channel: slackField(result, 'channel', settings.connectorId, action),
        ts: slackField(result, 'ts', settings.connectorId, action),
      }
    },
  }
}
