import { z } from 'zod'
import { secretRef } from '@tessera/core'

/**
 * A bucket name: 3 to 255 letters, digits, `.`, `_` or `-` (S3 itself allows lower-case
 * letters, digits, `.` and `-`, 3 to 63; S3-compatible stores allow more).
 */
const bucketSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/, 'a bucket name such as "invoices-2024"')

/**
 * The configuration schema of the S3 connector: the region, an optional `endpoint` for
 * S3-compatible stores (MinIO, Ceph, R2, a local s3rver) or proxies, path-style addressing,
 * credentials as secret references (the SDK's default credential chain when absent: environment,
 * shared files, instance or task roles), and a default bucket.
 *
 * @example
 * ```ts
 * s3ConnectorConfigSchema.parse({
 *   region: 'eu-west-1',
 *   bucket: 'invoices',
 *   credentials: { accessKeyId: { $secret: 'AWS_ACCESS_KEY_ID' }, secretAccessKey: { $secret: 'AWS_SECRET_ACCESS_KEY' } },
 * })
 * ```
 */
export const s3ConnectorConfigSchema = z
  .object({
    region: z
      .string()
      .min(1)
      .describe('The AWS region, such as eu-west-1 (any value for most S3-compatible stores)'),
    endpoint: z
      .url({ protocol: /^https?$/, error: 'an http or https URL' })
      .optional()
      .describe(
        'The service URL, for S3-compatible stores, proxies or VPC endpoints. Default: AWS',
      ),
    forcePathStyle: z
      .boolean()
      .optional()
      .describe(
        'Address buckets as endpoint/bucket instead of bucket.endpoint (most S3-compatible stores need it)',
      ),
    credentials: z
      .object({
        accessKeyId: secretRef({
          title: 'Access key id',
          description: 'A secret holding the access key id',
        }),
        secretAccessKey: secretRef({
          title: 'Secret access key',
          description: 'A secret holding the secret access key',
        }),
        sessionToken: secretRef({
          title: 'Session token',
          description: 'A secret holding a session token, for temporary credentials',
        }).optional(),
      })
      .strict()
      .optional()
      .describe(
        "Static credentials. Default: the SDK's credential chain (environment, profile, role)",
      ),
    bucket: bucketSchema
      .optional()
      .describe('The bucket the actions use when their input names none'),
    maxAttempts: z
      .number()
      .int()
      .min(1)
      .max(10)
      .optional()
      .describe(
        "Attempts per call, including the SDK's own retries of throttling and 5xx. Default 3",
      ),
    requestChecksums: z
      .enum(['when-supported', 'when-required'])
      .optional()
      .describe(
        'When the SDK adds CRC checksums to requests. Default when-supported on AWS, when-required with a custom endpoint (S3-compatible stores often reject them)',
      ),
  })
  .strict()

/**
 * The configuration of the S3 connector, as written in a definition.
 *
 * @example
 * ```ts
 * const config: S3ConnectorConfig = { region: 'eu-west-1', bucket: 'invoices' }
 * ```
 */
export type S3ConnectorConfig = z.input<typeof s3ConnectorConfigSchema>

/**
 * The schema of a bucket name in inputs and configuration.
 *
 * @example
 * ```ts
 * s3BucketSchema.parse('invoices-2024')
 * ```
 */
export const s3BucketSchema = bucketSchema
