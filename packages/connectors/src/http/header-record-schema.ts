import { z } from 'zod'

/**
 * HTTP header names (RFC 9110 tokens) to values without line breaks, so a header cannot be
 * split or injected.
 *
 * @example
 * ```ts
 * headerRecordSchema.parse({ authorization: 'Bearer abc' })
 * ```
 */
export const headerRecordSchema = z.record(
  z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'a header name'),
  z.string().regex(/^[^\r\n\0]*$/, 'a header value without line breaks'),
)
