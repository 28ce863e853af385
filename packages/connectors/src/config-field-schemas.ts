import { z } from 'zod'

// Configuration fields that the SaaS and broker connectors share, each with one range and one
// error text, so that a timeout or a base URL reads the same in every connector; the
// description (what the field times, its default) stays the connector's own.

/**
 * An optional timeout in milliseconds, 1 ms to 10 minutes; `description` says what it times and
 * its default.
 *
 * @example
 * ```ts
 * z.object({ timeoutMs: timeoutMsSchema('Per-request timeout in milliseconds. Default 30 000') })
 * ```
 */
export function timeoutMsSchema(description: string) {
  return z.number().int().min(1).max(600_000).optional().describe(description)
}

/**
 * An optional http or https URL replacing a vendor API's base URL (a proxy, a regional or
 * self-hosted endpoint); `description` names the default.
 *
 * @example
 * ```ts
 * z.object({ baseUrl: baseUrlSchema('The Web API base URL. Default https://slack.com/api/') })
 * ```
 */
export function baseUrlSchema(description: string) {
  return z
    .url({ protocol: /^https?$/, error: 'an http or https URL' })
    .optional()
    .describe(description)
}
