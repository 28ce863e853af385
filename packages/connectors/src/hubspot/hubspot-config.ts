import { z } from 'zod'
import { secretRef } from '@tessera/core'
import { baseUrlSchema } from '../config-field-schemas'

/**
 * The configuration schema of the HubSpot connector: a private app access token (a secret
 * reference) and, for a proxy or tests, the API's base path.
 *
 * @example
 * ```ts
 * hubspotConfigSchema.parse({ accessToken: { $secret: 'HUBSPOT_TOKEN' } })
 * ```
 */
export const hubspotConfigSchema = z
  .object({
    accessToken: secretRef({
      title: 'Access token',
      description: 'A HubSpot private app access token (pat-…) or an OAuth access token',
    }),
    basePath: baseUrlSchema('The API base URL. Default https://api.hubapi.com'),
  })
  .strict()

/**
 * The HubSpot connector's configuration, as an action receives it (secrets resolved).
 *
 * @example
 * ```ts
 * const config: HubSpotConfig = { accessToken: process.env.HUBSPOT_TOKEN! }
 * ```
 */
export interface HubSpotConfig {
  accessToken: string
  basePath?: string | undefined
}
