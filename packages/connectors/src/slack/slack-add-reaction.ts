import { z } from 'zod'
import type { ConnectorAction } from '@tessera/core'
import { callSlack, type ResolvedSlackConfig } from './slack-web-client'

/**
 * The input schema of the Slack connector's `add-reaction` action (`reactions.add`): the
 * channel id and `ts` of a message, and an emoji name without colons.
 *
 * @example
 * ```ts
 * slackAddReactionInputSchema.parse({ channel: 'C0123456789', ts: '1712345678.000100', name: 'white_check_mark' })
 * ```
 */
export const slackAddReactionInputSchema = z
  .object({
    channel: z.string().min(1).describe('The channel id of the message (C…)'),
    ts: z
      .string()
      .regex(/^\d+\.\d+$/, 'a Slack timestamp such as "1712345678.000100"')
      .describe("The message's ts"),
    name: z
      .string()
      .regex(/^[a-z0-9_+'-]+(::skin-tone-\d)?$/, 'an emoji name without colons, such as "eyes"')
      .describe('The emoji name, such as "white_check_mark"'),
  })
  .strict()

/**
 * The output of `add-reaction`: `alreadyReacted` is true when the reaction was there already
 * (a retried step), which is not an error.
 *
 * @example
 * ```ts
 * const { alreadyReacted } = slackAddReactionOutputSchema.parse(output)
 * ```
 */
export const slackAddReactionOutputSchema = z.object({
  alreadyReacted: z.boolean().describe('The message had this reaction from the app already'),
})

/** The input of `add-reaction`. */
export type SlackAddReactionInput = z.input<typeof slackAddReactionInputSchema>

/**
 * Builds the `add-reaction` action.
 *
 * @example
 * ```ts
 * const addReaction = createSlackAddReactionAction({ connectorId: 'slack' })
 * ```
 */
export function createSlackAddReactionAction(settings: {
  connectorId: string
  fetch?: typeof globalThis.fetch | undefined
}): ConnectorAction<
  ResolvedSlackConfig,
  z.output<typeof slackAddReactionInputSchema>,
  z.output<typeof slackAddReactionOutputSchema>
> {
  return {
    title: 'Add a reaction',
    description: 'Adds an emoji reaction to a message (reactions.add); idempotent',
    examples: [{ input: { channel: 'C0123456789', ts: '1712345678.000100', name: 'eyes' } }],
    input: slackAddReactionInputSchema,
    output: slackAddReactionOutputSchema,
    async run({ config, input, signal, logger }) {
      try {
        await callSlack(
          config,
          {
            connector: settings.connectorId,
            action: 'add-reaction',
            signal,
            logger,
            fetch: settings.fetch,
          },
          (client) =>
            client.reactions.add({ channel: input.channel, timestamp: input.ts, name: input.name }),
        )
        return { alreadyReacted: false }
      } catch (error) {
        if ((error as { status?: unknown }).status === 'already_reacted')
          return { alreadyReacted: true }
        throw error
      }
    },
  }
}
