import { z } from 'zod'
import type { S3Client } from '@aws-sdk/client-s3'
import { ConnectorError, type ConnectorAction, type WithSecretsResolved } from '@tessera/core'
import { s3BucketSchema, type s3ConnectorConfigSchema } from './s3-connector-config'

type Config = WithSecretsResolved<z.output<typeof s3ConnectorConfigSchema>>
type Sdk = typeof import('@aws-sdk/client-s3')

/**
 * Runs `work` with the configuration's client and the SDK, mapping failures.
 *
 * @example
 * ```ts
 * const run: S3Runner = async (action, { config }, work) => work(clientFor(config), sdk)
 * ```
 */
export type S3Runner = <T>(
  action: string,
  context: { config: Config; signal: AbortSignal },
  work: (client: S3Client, sdk: Sdk) => Promise<T>,
) => Promise<T>

/**
 * The user-metadata name under which `put-object` stores the step's idempotency key (sent as
 * the `x-amz-meta-tessera-idempotency-key` header).
 *
 * @example
 * ```ts
 * const { metadata } = await s3Connector.actions['get-object'].run(context)
 * metadata[s3IdempotencyMetadataKey] // 'run-42:archive.put-object'
 * ```
 */
export const s3IdempotencyMetadataKey = 'tessera-idempotency-key'
/**
 * The default `maxBytes` of `get-object`: 5 MiB.
 *
 * @example
 * ```ts
 * const input = { key: 'exports/big.csv', maxBytes: 4 * defaultS3MaxBytes }
 * ```
 */
export const defaultS3MaxBytes = 5 * 1024 * 1024

const objectKey = z
  .string()
  .min(1)
  .max(1024)
  .describe('The object key, such as invoices/2024/42.pdf')
const bucket = s3BucketSchema.optional().describe('The bucket. Default: the configured bucket')
const metadataSchema = z
  .record(
    z.string().regex(/^[A-Za-z0-9-]{1,128}$/, 'a metadata name of letters, digits and "-"'),
    z.string().regex(/^[\x20-\x7e]*$/, 'printable ASCII'),
  )
  .describe('User metadata (x-amz-meta-*): names are stored lower-case')

/**
 * Builds the S3 connector's actions around a runner that supplies the client.
 *
 * @example
 * ```ts
 * const actions = createS3Actions(connectorId, runner)
 * ```
 */
export function createS3Actions(connector: string, run: S3Runner) {
  const bucketOf = (action: string, config: Config, input: { bucket?: string | undefined }) => {
    const name = input.bucket ?? config.bucket
    if (name === undefined)
      throw new ConnectorError({
        connector,
        action,
        reason: 'invalid-request',
        message: 'no bucket: give input.bucket, or bucket in the configuration',
      })
    return name
  }

  const putInput = z
    .object({
      bucket,
      key: objectKey,
      body: z
        .string()
        .max(50 * 1024 * 1024)
        .describe('The content: text, or base64 with encoding "base64"'),
      encoding: z
        .enum(['utf8', 'base64'])
        .optional()
        .describe('How body is written: utf8 text (default) or base64 bytes'),
      contentType: z
        .string()
        .max(255)
        .optional()
        .describe('The Content-Type, such as application/pdf'),
      metadata: metadataSchema.optional(),
    })
    .strict()
  const putOutput = z.object({
    bucket: z.string().describe('The bucket written to'),
    key: z.string().describe('The object key'),
    etag: z.string().optional().describe("The object's ETag, as S3 returns it (quoted)"),
    versionId: z.string().optional().describe('The version, when the bucket is versioned'),
  })
  const putObject = {
    title: 'Put an object',
    description: `Writes an object (PutObject) from text or base64, with the step's idempotency key in the ${s3IdempotencyMetadataKey} metadata`,
    examples: [
      {
        title: 'A JSON report',
        input: {
          key: 'reports/2024-05.json',
          body: '{"total":42}',
          contentType: 'application/json',
          metadata: { source: 'billing' },
        },
      },
      {
        title: 'Bytes',
        input: {
          bucket: 'images',
          key: 'pixel.png',
          body: 'iVBORw0KGgo=',
          encoding: 'base64' as const,
          contentType: 'image/png',
        },
      },
    ],
    input: putInput,
    output: putOutput,
    run: (context) =>
      run('put-object', context, async (client, sdk) => {
        const { input, config, idempotencyKey, signal } = context
        const name = bucketOf('put-object', config, input)
        const body =
          input.encoding === 'base64'
            ? Buffer.from(input.body, 'base64')
            : Buffer.from(input.body, 'utf8')
        const result = await client.send(
          new sdk.PutObjectCommand({
            Bucket: name,
            Key: input.key,
            Body: body,
            ContentLength: body.length,
            ...(input.contentType !== undefined ? { ContentType: input.contentType } : {}),
            Metadata: { ...input.metadata, [s3IdempotencyMetadataKey]: idempotencyKey },
          }),
          { abortSignal: signal },
        )
        return {
          bucket: name,
          key: input.key,
          ...(result.ETag !== undefined ? { etag: result.ETag } : {}),
          ...(result.VersionId !== undefined ? { versionId: result.VersionId } : {}),
        }
      }),
  } satisfies ConnectorAction<Config, z.output<typeof putInput>, z.output<typeof putOutput>>

  const getInput = z
    .object({
      bucket,
      key: objectKey,
      as: z
        .enum(['text', 'base64', 'json'])
        .optional()
        .describe('How to return the body: utf8 text (default), base64, or parsed JSON'),
      maxBytes: z
        .number()
        .int()
        .min(1)
        .max(100 * 1024 * 1024)
        .optional()
        .describe(`Refuse a larger object (reason invalid-request). Default ${defaultS3MaxBytes}`),
    })
    .strict()
  const getOutput = z.object({
    body: z.unknown().describe('The content: a string (text, base64) or the parsed JSON value'),
    contentType: z.string().optional().describe('The Content-Type stored with the object'),
    contentLength: z.number().int().describe('The size in bytes'),
    etag: z.string().optional().describe("The object's ETag (quoted)"),
    lastModified: z.string().optional().describe('ISO date'),
    metadata: z.record(z.string(), z.string()).describe('User metadata, names lower-case'),
  })
  const getObject = {
    title: 'Get an object',
    description: 'Reads an object (GetObject) as text, base64 or JSON, up to maxBytes',
    examples: [{ input: { key: 'reports/2024-05.json', as: 'json' as const } }],
    input: getInput,
    output: getOutput,
    run: (context) =>
      run('get-object', context, async (client, sdk) => {
        const { input, config, signal } = context
        const name = bucketOf('get-object', config, input)
        const maxBytes = input.maxBytes ?? defaultS3MaxBytes
        const tooLarge = (size: number | string) =>
          new ConnectorError({
            connector,
            action: 'get-object',
            reason: 'invalid-request',
            message: `object ${name}/${input.key} is ${size} bytes, more than maxBytes (${maxBytes})`,
          })
        const result = await client.send(
          new sdk.GetObjectCommand({ Bucket: name, Key: input.key }),
          {
            abortSignal: signal,
          },
        )
        const stream = result.Body as
          (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined
        if (result.ContentLength !== undefined && result.ContentLength > maxBytes) {
          stream?.destroy?.()
          throw tooLarge(result.ContentLength)
        }
        const chunks: Buffer[] = []
        let size = 0
        for await (const chunk of stream ?? []) {
          size += chunk.length
          if (size > maxBytes) {
            stream?.destroy?.()
            throw tooLarge(`over ${maxBytes}`)
          }
          chunks.push(Buffer.from(chunk))
        }
        const bytes = Buffer.concat(chunks)
        let body: unknown
        if (input.as === 'base64') body = bytes.toString('base64')
        else if (input.as === 'json') {
          try {
            body = JSON.parse(bytes.toString('utf8')) as unknown
          } catch (error) {
            throw new ConnectorError({
              connector,
              action: 'get-object',
              reason: 'invalid-response',
              message: `object ${name}/${input.key} is not valid JSON`,
              cause: error,
            })
          }
        } else body = bytes.toString('utf8')
        return {
          body,
          ...(result.ContentType !== undefined ? { contentType: result.ContentType } : {}),
          contentLength: bytes.length,
          ...(result.ETag !== undefined ? { etag: result.ETag } : {}),
          ...(result.LastModified !== undefined
            ? { lastModified: result.LastModified.toISOString() }
            : {}),
          metadata: result.Metadata ?? {},
        }
      }),
  } satisfies ConnectorAction<Config, z.output<typeof getInput>, z.output<typeof getOutput>>

  const listInput = z
    .object({
      bucket,
      prefix: z.string().max(1024).optional().describe('Only keys that start with this'),
      delimiter: z
        .string()
        .max(16)
        .optional()
        .describe('Group keys by this character (usually "/") into commonPrefixes'),
      maxKeys: z
        .number()
        .int()
        .min(1)
        .max(1000)
        .optional()
        .describe('At most this many keys. Default 1000'),
      continuationToken: z
        .string()
        .optional()
        .describe('The nextContinuationToken of the previous page'),
    })
    .strict()
  const listOutput = z.object({
    objects: z
      .array(
        z.object({
          key: z.string().describe('The object key'),
          size: z.number().int().describe('The size in bytes'),
          etag: z.string().optional().describe("The object's ETag (quoted)"),
          lastModified: z.string().optional().describe('ISO date'),
        }),
      )
      .describe('The objects of this page, in key order'),
    commonPrefixes: z.array(z.string()).describe('With a delimiter: the "folders"'),
    isTruncated: z.boolean().describe('True when there is another page'),
    nextContinuationToken: z.string().optional().describe('Pass it back for the next page'),
  })
  const listObjects = {
    title: 'List objects',
    description:
      'Lists one page of objects (ListObjectsV2) under a prefix; pass nextContinuationToken back for the next page',
    examples: [{ input: { prefix: 'reports/', maxKeys: 100 } }],
    input: listInput,
    output: listOutput,
    run: (context) =>
      run('list-objects', context, async (client, sdk) => {
        const { input, config, signal } = context
        const result = await client.send(
          new sdk.ListObjectsV2Command({
            Bucket: bucketOf('list-objects', config, input),
            ...(input.prefix !== undefined ? { Prefix: input.prefix } : {}),
            ...(input.delimiter !== undefined ? { Delimiter: input.delimiter } : {}),
            ...(input.maxKeys !== undefined ? { MaxKeys: input.maxKeys } : {}),
            ...(input.continuationToken !== undefined
              ? { ContinuationToken: input.continuationToken }
              : {}),
          }),
          { abortSignal: signal },
        )
        return {
          objects: (result.Contents ?? []).map((object) => ({
            key: object.Key ?? '',
            size: object.Size ?? 0,
            ...(object.ETag !== undefined ? { etag: object.ETag } : {}),
            ...(object.LastModified !== undefined
              ? { lastModified: object.LastModified.toISOString() }
              : {}),
          })),
          commonPrefixes: (result.CommonPrefixes ?? []).flatMap((entry) =>
            entry.Prefix === undefined ? [] : [entry.Prefix],
          ),
          isTruncated: result.IsTruncated === true,
          ...(result.NextContinuationToken !== undefined
            ? { nextContinuationToken: result.NextContinuationToken }
            : {}),
        }
      }),
  } satisfies ConnectorAction<Config, z.output<typeof listInput>, z.output<typeof listOutput>>

  const deleteInput = z.object({ bucket, key: objectKey }).strict()
  const deleteOutput = z.object({
    bucket: z.string().describe('The bucket'),
    key: z.string().describe('The object key'),
    deleted: z.literal(true).describe('S3 answers the same whether the object existed or not'),
  })
  const deleteObject = {
    title: 'Delete an object',
    description:
      'Deletes an object (DeleteObject); deleting a missing key succeeds, so a retry is safe',
    examples: [{ input: { key: 'reports/2024-05.json' } }],
    input: deleteInput,
    output: deleteOutput,
    run: (context) =>
      run('delete-object', context, async (client, sdk) => {
        const { input, config, signal } = context
        const name = bucketOf('delete-object', config, input)
        await client.send(new sdk.DeleteObjectCommand({ Bucket: name, Key: input.key }), {
          abortSignal: signal,
        })
        return { bucket: name, key: input.key, deleted: true as const }
      }),
  } satisfies ConnectorAction<Config, z.output<typeof deleteInput>, z.output<typeof deleteOutput>>

  return {
    'put-object': putObject,
    'get-object': getObject,
    'list-objects': listObjects,
    'delete-object': deleteObject,
  }
}
