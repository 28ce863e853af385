import { z } from 'zod'
import { ConnectorError, type ConnectorAction } from '@tessera/core'
import { teamsRequest } from './teams-http'
import type { ResolvedTeamsWebhookConfig } from './teams-webhook-config'

/**
 * The input schema of the Teams webhook connector's `send-message` action: a text (Markdown
 * that Adaptive Cards support) with an optional title, or a complete Adaptive Card.
 *
 * @example
 * ```ts
 * teamsSendMessageInputSchema.parse({ title: 'Deploy', text: 'Version **1.4.2** is live' })
 * ```
 */
export const teamsSendMessageInputSchema = z
  .object({
    text: z.string().min(1).max(20_000).optional().describe('The message text (Markdown subset)'),
    title: z.string().min(1).max(500).optional().describe('A bold title above the text'),
    card: z
      .looseObject({
        type: z.literal('AdaptiveCard').describe('Always "AdaptiveCard"'),
        body: z.array(z.unknown()).optional().describe("The card's elements (TextBlock, …)"),
      })
      .optional()
      .describe('A complete Adaptive Card ({ type: "AdaptiveCard", version, body, … })'),
  })
  .strict()
  .refine((input) => (input.card === undefined) !== (input.text === undefined), {
    message: 'a message needs either "text" or "card"',
    path: ['text'],
  })

/**
 * The output of `send-message`: the HTTP status (200 from an incoming webhook, 202 from a
 * Workflows webhook).
 *
 * @example
 * ```ts
 * const { status } = teamsSendMessageOutputSchema.parse(output)
 * ```
 */
export const teamsSendMessageOutputSchema = z.object({
  status: z.number().int().describe('200 (incoming webhook) or 202 (Workflows webhook)'),
})

/** The input of `send-message`. */
export type TeamsSendMessageInput = z.input<typeof teamsSendMessageInputSchema>

/**
 * The webhook payload for a message: one Adaptive Card attachment, the format both Teams
 * Workflows webhooks and incoming webhooks accept.
 *
 * @example
 * ```ts
 * const body = teamsWebhookPayload({ title: 'Deploy', text: 'Done' })
 * ```
 */
export function teamsWebhookPayload(input: z.output<typeof teamsSendMessageInputSchema>) {
  const card = input.card ?? {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body: [
      ...(input.title === undefined
        ? []
        : [{ type: 'TextBlock', text: input.title, weight: 'Bolder', size: 'Medium', wrap: true }]),
      { type: 'TextBlock', text: input.text, wrap: true },
    ],
  }
  return {
    type: 'message',
    attachments: [
      { contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card },
    ],
  }
}

/**
 * Builds the `send-message` action.
 *
 * @example
 * ```ts
 * const sendMessage = createTeamsSendMessageAction({ connectorId: 'teams' })
 * ```
 */
export function createTeamsSendMessageAction(settings: {
  connectorId: string
  fetch?: typeof globalThis.fetch | undefined
}): ConnectorAction<
  ResolvedTeamsWebhookConfig,
  z.output<typeof teamsSendMessageInputSchema>,
  z.output<typeof teamsSendMessageOutputSchema>
> {
  const action = 'send-message'
  return {
    title: 'Send a message',
    description: 'Posts a message (an Adaptive Card) to a Teams channel through its webhook',
    examples: [
      { title: 'Text', input: { title: 'Deploy', text: 'Version **1.4.2** is live' } },
      {
        title: 'An Adaptive Card',
        input: {
          card: {
            type: 'AdaptiveCard',
            version: '1.4',
            body: [{ type: 'TextBlock', text: 'Approval needed', weight: 'Bolder' }],
            actions: [{ type: 'Action.OpenUrl', title: 'Open', url: 'https://example.com/a/42' }],
          },
        },
      },
    ],
    input: teamsSendMessageInputSchema,
    output: teamsSendMessageOutputSchema,
    async run({ config, input, signal, idempotencyKey }) {
      const answer = await teamsRequest({
        connector: settings.connectorId,
        action,
        where: 'the Teams webhook',
        url: config.webhookUrl,
        init: {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
          body: JSON.stringify(teamsWebhookPayload(input)),
        },
        signal,
        timeoutMs: config.timeoutMs,
        fetch: settings.fetch,
      })
      // An incoming webhook answers 200 with "1"; when the channel refuses the message it still
      // answers 200, with the reason as text ("Microsoft Teams endpoint returned HTTP error 429 …").
      const text = answer.text.trim()
      if (answer.status === 200 && text !== '' && text !== '1') {
        const inner = /HTTP error (\d{3})/.exec(text)?.[1]
        const status = inner === undefined ? 200 : Number(inner)
        throw new ConnectorError({
          connector: settings.connectorId,
          action,
          reason: status === 429 ? 'rate-limited' : status >= 500 ? 'remote' : 'invalid-request',
          status,
          message: `the Teams webhook refused the message: ${text.slice(0, 200)}`,
          ...(status >= 500 ? { retryable: true } : {}),
        })
      }
      return { status: answer.status }
    },
  }
}
