import { z } from 'zod'
import { headerRecordSchema } from './header-record-schema'

/**
 * The configuration schema of the HTTP connector: the base URL every request path is appended
 * to (http or https), headers sent with every request (such as `authorization`), and a
 * per-request timeout in milliseconds (default 30 000).
 *
 * @example
 * ```ts
 * const config = httpConnectorConfigSchema.parse({ baseUrl: 'https://api.example.com/v1', timeoutMs: 5_000 })
 * ```
 */
export const httpConnectorConfigSchema = z
  .object({
    baseUrl: z.url({ protocol: /^https?$/, error: 'an http or https URL' }),
    headers: headerRecordSchema.optional(),
    timeoutMs: z.number().int().min(1).max(3_600_000).optional(),
  })
  .strict()

/** The configuration of the HTTP connector. */
export type HttpConnectorConfig = z.output<typeof httpConnectorConfigSchema>
