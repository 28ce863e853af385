import { z } from 'zod'
import { secretRef } from '@tessera/core'
import { baseUrlSchema, timeoutMsSchema } from '../config-field-schemas'

/**
 * The configuration schema of the Teams Graph connector: a Microsoft Graph access token with
 * `ChannelMessage.Send` (and `Channel.ReadBasic.All` to list channels), as a secret reference,
 * and the Graph base URL (national clouds, proxies, tests).
 *
 * @example
 * ```ts
 * const config = teamsGraphConfigSchema.parse({ token: { $secret: 'GRAPH_TOKEN' } })
 * ```
 */
export const teamsGraphConfigSchema = z
  .object({
    token: secretRef({
      title: 'Access token',
      description: 'A Microsoft Graph access token (delegated, with ChannelMessage.Send)',
    }),
    baseUrl: baseUrlSchema('The Graph base URL. Default https://graph.microsoft.com/v1.0'),
    timeoutMs: timeoutMsSchema('Per-request timeout in milliseconds. Default 30 000'),
  })
  .strict()

/** The configuration of the Teams Graph connector, as stored. */
export type TeamsGraphConfig = z.input<typeof teamsGraphConfigSchema>

/** The configuration the Graph actions receive (the token resolved). */
export interface ResolvedTeamsGraphConfig {
  token: string
  baseUrl?: string | undefined
  timeoutMs?: number | undefined
}

/** Microsoft Graph's default base URL. */
export const defaultGraphBaseUrl = 'https://graph.microsoft.com/v1.0'
