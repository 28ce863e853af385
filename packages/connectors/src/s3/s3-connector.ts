import type { S3Client } from '@aws-sdk/client-s3'
import { ConnectorError, defineConnector, type WithSecretsResolved } from '@tessera/core'
import type { z } from 'zod'
import { createClientCache } from '../connector-client-cache'
import { createSdkLoader } from '../load-sdk'
import { s3ConnectorConfigSchema } from './s3-connector-config'
import { s3Failure } from './s3-connector-errors'
import { createS3Actions, type S3Runner } from './s3-connector-actions'

type Config = WithSecretsResolved<z.output<typeof s3ConnectorConfigSchema>>
type Sdk = typeof import('@aws-sdk/client-s3')

const clients = createClientCache<S3Client>((client) => client.destroy())

/**
 * Destroys every S3 client that the S3 connectors created (cached per resolved
 * configuration), closing their sockets. Call it when the host shuts down, or after tests.
 *
 * @example
 * ```ts
 * await engine.close()
 * await closeS3Clients()
 * ```
 */
export function closeS3Clients(): Promise<void> {
  return clients.close()
}

/**
 * Settings of {@link createS3Connector}.
 *
 * @example
 * ```ts
 * const settings: S3ConnectorSettings = { id: 'archive' }
 * ```
 */
export interface S3ConnectorSettings {
  /** Default `s3`. Give each instance its own id to register several in one engine. */
  id?: string
}

/**
 * Creates the S3 connector (AWS S3 and S3-compatible stores): `put-object`, `get-object`,
 * `list-objects` and `delete-object`, with `@aws-sdk/client-s3` (an optional peer, loaded on
 * first use). `put-object` stores the step's idempotency key in the object's
 * `x-amz-meta-tessera-idempotency-key`; the step's signal aborts the HTTP request. `check`
 * runs HeadBucket on the configured bucket.
 *
 * @example
 * ```ts
 * const archive = createS3Connector({ id: 'archive' })
 * const workflow = createWorkflow({ id: 'archive-invoice', input: z.object({ id: z.string(), pdf: z.string() }) })
 *   .map(({ input }) => ({ key: `invoices/${input.id}.pdf`, body: input.pdf, encoding: 'base64' as const, contentType: 'application/pdf' }))
 *   .action(archive, 'put-object', {
 *     region: 'eu-west-1',
 *     bucket: 'invoices',
 *     credentials: { accessKeyId: { $secret: 'AWS_ACCESS_KEY_ID' }, secretAccessKey: { $secret: 'AWS_SECRET_ACCESS_KEY' } },
 *   })
 *   .commit()
 * ```
 */
export function createS3Connector(settings: S3ConnectorSettings = {}) {
  const id = settings.id ?? 's3'
  const run: S3Runner = async (action, { config, signal }, work) => {
    if (signal.aborted) throw s3Failure({ connector: id, action, error: signal.reason, signal })
    const sdk = await loadSdk(id, action)
    // One client per connection settings: the default bucket does not need its own.
    const { bucket: _bucket, ...connection } = config
    const client = clients.get(connection, () => createClient(sdk, config))
    try {
      return await work(client, sdk)
    } catch (error) {
      throw s3Failure({ connector: id, action, error, signal })
    }
  }
  return defineConnector({
    id,
    name: 'Amazon S3',
    description:
      'Puts, gets, lists and deletes objects in Amazon S3 or an S3-compatible store (MinIO, Ceph, R2, …)',
    docs: 'https://tessera.dev/docs/connectors/s3',
    config: s3ConnectorConfigSchema,
    actions: createS3Actions(id, run),
    check: (context) =>
      run('check', context, async (client, sdk) => {
        if (context.config.bucket === undefined)
          throw new ConnectorError({
            connector: id,
            action: 'check',
            reason: 'invalid-config',
            message: 'check needs a bucket in the configuration (it runs HeadBucket on it)',
          })
        await client.send(new sdk.HeadBucketCommand({ Bucket: context.config.bucket }), {
          abortSignal: context.signal,
        })
      }),
  })
}

/**
 * The S3 connector (see {@link createS3Connector}).
 *
 * @example
 * ```ts
 * engine.register(s3Connector)
 * ```
 */
export const s3Connector = /* @__PURE__ */ createS3Connector()

/**
 * The connector that {@link createS3Connector} returns.
 *
 * @example
 * ```ts
 * const archive: S3Connector = createS3Connector({ id: 'archive' })
 * ```
 */
export type S3Connector = ReturnType<typeof createS3Connector>

const loadSdk = createSdkLoader(
  (): Promise<Sdk> => import('@aws-sdk/client-s3'),
  '@aws-sdk/client-s3',
  'S3',
)

function createClient(sdk: Sdk, config: Config): S3Client {
  const checksums =
    config.requestChecksums ?? (config.endpoint === undefined ? 'when-supported' : 'when-required')
  const mode = checksums === 'when-required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED'
  return new sdk.S3Client({
    region: config.region,
    ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}),
    ...(config.forcePathStyle !== undefined ? { forcePathStyle: config.forcePathStyle } : {}),
    ...(config.credentials !== undefined
      ? {
          credentials: {
            accessKeyId: config.credentials.accessKeyId,
            secretAccessKey: config.credentials.secretAccessKey,
            ...(config.credentials.sessionToken !== undefined
              ? { sessionToken: config.credentials.sessionToken }
              : {}),
          },
        }
      : {}),
    maxAttempts: config.maxAttempts ?? 3,
    requestChecksumCalculation: mode,
    responseChecksumValidation: mode,
  })
}
