import { z } from 'zod'
import type { WithSecretsResolved } from '@tessera/core'
import { httpAuthSchema } from '../http/http-auth'
import { configHeadersSchema } from '../http/http-connector-config'

/**
 * The configuration schema of the GraphQL connector: the endpoint (http or https), `auth`
 * (bearer, basic or API key; credentials as secret references), headers sent with every
 * request (values may be secret references) and a timeout.
 *
 * @example
 * ```ts
 * graphqlConnectorConfigSchema.parse({ endpoint: 'https://api.example.com/graphql', auth: { type: 'bearer', token: { $secret: 'GRAPHQL_TOKEN' } } })
 * ```
 */
export const graphqlConnectorConfigSchema = z
  .object({
    endpoint: z
      .url({ protocol: /^https?$/, error: 'an http or https URL' })
      .describe('The GraphQL endpoint, such as https://api.example.com/graphql'),
    auth: httpAuthSchema.optional(),
    headers: configHeadersSchema.optional(),
    timeoutMs: z
      .number()
      .int()
      .min(1)
      .max(3_600_000)
      .optional()
      .describe('Per-request timeout in milliseconds (default 30000)'),
  })
  .strict()

/**
 * The configuration of the GraphQL connector, as stored.
 *
 * @example
 * ```ts
 * const config: GraphqlConnectorConfig = { endpoint: 'https://api.example.com/graphql', auth: { type: 'bearer', token: { $secret: 'TOKEN' } } }
 * ```
 */
export type GraphqlConnectorConfig = z.output<typeof graphqlConnectorConfigSchema>
/**
 * The configuration as an action sees it (secrets resolved).
 *
 * @example
 * ```ts
 * const seen: ResolvedGraphqlConnectorConfig = { endpoint: 'https://api.example.com/graphql', auth: { type: 'bearer', token: 'resolved-token' } }
 * ```
 */
export type ResolvedGraphqlConnectorConfig = WithSecretsResolved<GraphqlConnectorConfig>
