import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createEngine, createWorkflow, mapSecrets } from '@tessera/core'
import { actionRunner, checkRunner, connectorFailure } from '../../test/action-kit'
import { startLocalS3, type LocalS3 } from '../../test/s3rver'
import { waitFor } from '../../test/wait-for'
import { closeS3Clients, createS3Connector, s3Connector } from './s3-connector'
import { s3ConnectorConfigSchema } from './s3-connector-config'

// A real S3-compatible server (s3rver) in a temporary directory. s3rver checks the access key
// id (S3RVER) but not SigV4 signatures, so a wrong secret key is accepted there; the
// SignatureDoesNotMatch, throttling and 5xx answers come from a small server that answers with
// S3's documented error bodies.

let s3rver: LocalS3
let endpoint: string
let errorServer: Server
let errorEndpoint: string
const errorRequests: { method?: string; url?: string }[] = []

const bucket = 'tessera-test'
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
const config = () => ({
  region: 'us-east-1',
  endpoint,
  forcePathStyle: true,
  bucket,
  credentials,
  maxAttempts: 1,
})

const run = actionRunner(s3Connector, config, () => 'run-1:step')

const s3ErrorBody = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>`

// ListObjectsV2 as S3 documents it: pages of max-keys, an opaque NextContinuationToken while
// IsTruncated, the token sent back as continuation-token.
const pageKeys = ['a', 'b', 'c', 'd', 'e'].map((name) => `pages/${name}.txt`)
function listPage(query: URLSearchParams): string {
  const maxKeys = Number(query.get('max-keys') ?? 1000)
  const token = query.get('continuation-token')
  const start = token === null ? 0 : Number(/^opaque-(\d+)$/.exec(token)?.[1] ?? NaN)
  const keys = pageKeys.slice(start, start + maxKeys)
  const truncated = start + maxKeys < pageKeys.length
  return `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>pages/</Prefix><KeyCount>${keys.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${token === null ? '' : `<ContinuationToken>${token}</ContinuationToken>`}${truncated ? `<NextContinuationToken>opaque-${start + maxKeys}</NextContinuationToken>` : ''}${keys
    .map(
      (key) =>
        `<Contents><Key>${key}</Key><LastModified>2024-05-01T10:00:00.000Z</LastModified><ETag>&quot;0cc175b9c0f1b6a831c399e269772661&quot;</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass></Contents>`,
    )
    .join('')}</ListBucketResult>`
}

beforeAll(async () => {
  s3rver = await startLocalS3([bucket])
  endpoint = s3rver.endpoint
  errorServer = createServer((request, response) => {
    errorRequests.push({ method: request.method, url: request.url })
    request.resume()
    const url = new URL(request.url ?? '/', 'http://x')
    if (url.searchParams.get('list-type') === '2' && url.searchParams.get('prefix') === 'pages/') {
      response.writeHead(200, { 'content-type': 'application/xml' })
      response.end(listPage(url.searchParams))
      return
    }
    const key = url.searchParams.get('prefix') ?? url.pathname.split('/').pop()
    const answers: Record<string, [number, Record<string, string>, string]> = {
      'bad-signature': [
        403,
        {},
        s3ErrorBody(
          'SignatureDoesNotMatch',
          'The request signature we calculated does not match the signature you provided.',
        ),
      ],
      'slow-down': [
        503,
        { 'retry-after': '7' },
        s3ErrorBody('SlowDown', 'Please reduce your request rate.'),
      ],
      'too-many': [429, { 'retry-after': '2' }, s3ErrorBody('TooManyRequests', 'Slow down')],
      broken: [500, {}, s3ErrorBody('InternalError', 'We encountered an internal error.')],
      'not-xml': [200, { 'content-type': 'application/xml' }, '<ListBucketResult><oops'],
      hang: [0, {}, ''],
    }
    const answer = answers[key ?? ''] ?? [404, {}, s3ErrorBody('NoSuchKey', 'no such key')]
    if (answer[0] === 0) return // never answers
    response.writeHead(answer[0], { 'content-type': 'application/xml', ...answer[1] })
    response.end(answer[2])
  })
  await new Promise<void>((resolve) => errorServer.listen(0, '127.0.0.1', resolve))
  errorEndpoint = `http://127.0.0.1:${(errorServer.address() as AddressInfo).port}`
})

afterAll(async () => {
  await closeS3Clients()
  await s3rver.close()
  errorServer.closeAllConnections()
  await new Promise((resolve) => errorServer.close(resolve))
})

describe('the S3 connector against s3rver', () => {
  it('describes itself, and refuses credentials written into the configuration', () => {
    expect(s3Connector).toMatchObject({ id: 's3', name: 'Amazon S3' })
    expect(Object.keys(s3Connector.actions)).toEqual([
      'put-object',
      'get-object',
      'list-objects',
      'delete-object',
    ])
    const schema = s3ConnectorConfigSchema
    const secrets = {
      accessKeyId: { $secret: 'AWS_ACCESS_KEY_ID' },
      secretAccessKey: { $secret: 'AWS_SECRET_ACCESS_KEY' },
    }
    expect(schema.safeParse({ region: 'eu-west-1', credentials: secrets }).success).toBe(true)
    expect(schema.safeParse({ region: 'eu-west-1', credentials }).success).toBe(false)
    expect(schema.safeParse({ region: 'eu-west-1', endpoint: 'ftp://x' }).success).toBe(false)
    expect(schema.safeParse({ region: 'eu-west-1', bucket: 'Bad Bucket' }).success).toBe(false)
  })

  it('puts text with metadata and the idempotency key, and gets it back as text and JSON', async () => {
    const put = await run(
      'put-object',
      {
        key: 'reports/2024-05.json',
        body: '{"total":42}',
        contentType: 'application/json',
        metadata: { source: 'billing' },
      },
      { key: 'run-7:archive' },
    )
    expect(put).toMatchObject({ bucket, key: 'reports/2024-05.json' })
    expect(put.etag).toMatch(/^"[0-9a-f]{32}"$/)
    const text = await run('get-object', { key: 'reports/2024-05.json' })
    expect(text).toMatchObject({
      body: '{"total":42}',
      contentType: 'application/json',
      contentLength: 12,
      etag: put.etag,
      metadata: { source: 'billing', 'tessera-idempotency-key': 'run-7:archive' },
    })
    expect(Date.parse(text.lastModified)).not.toBeNaN()
    expect(s3Connector.actions['get-object'].output.safeParse(text).success).toBe(true)
    const json = await run('get-object', { key: 'reports/2024-05.json', as: 'json' })
    expect(json.body).toEqual({ total: 42 })
    const notJson = await run('put-object', { key: 'plain.txt', body: 'hello' })
    expect(notJson.key).toBe('plain.txt')
    expect(
      await connectorFailure(run('get-object', { key: 'plain.txt', as: 'json' })),
    ).toMatchObject({
      reason: 'invalid-response',
    })
  })

  it('round-trips bytes as base64 and refuses objects over maxBytes', async () => {
    const bytes = Buffer.from([0, 1, 2, 253, 254, 255])
    await run('put-object', {
      key: 'bin/x.bin',
      body: bytes.toString('base64'),
      encoding: 'base64',
      contentType: 'application/octet-stream',
    })
    const got = await run('get-object', { key: 'bin/x.bin', as: 'base64' })
    expect(Buffer.from(got.body, 'base64')).toEqual(bytes)
    expect(got.contentLength).toBe(6)
    const large = await connectorFailure(run('get-object', { key: 'bin/x.bin', maxBytes: 5 }))
    expect(large).toMatchObject({ reason: 'invalid-request' })
    expect(large.message).toContain('more than maxBytes (5)')
  })

  it('lists objects under a prefix, and by delimiter', async () => {
    for (const name of ['a', 'b', 'c'])
      await run('put-object', { key: `pages/${name}.txt`, body: name })
    const page = await run('list-objects', { prefix: 'pages/' })
    expect(page).toMatchObject({ isTruncated: false, commonPrefixes: [] })
    expect(page.nextContinuationToken).toBeUndefined()
    expect(
      page.objects.map((object: { key: string; size: number }) => [object.key, object.size]),
    ).toEqual([
      ['pages/a.txt', 1],
      ['pages/b.txt', 1],
      ['pages/c.txt', 1],
    ])
    const folders = await run('list-objects', { delimiter: '/' })
    expect(folders.commonPrefixes).toEqual(expect.arrayContaining(['pages/', 'reports/', 'bin/']))
    // s3rver 3.7 makes its continuation tokens with DES, which OpenSSL 3 no longer offers: a
    // truncated listing fails there, so pagination is tested against the ListObjectsV2 server below.
  })

  it('deletes objects; a missing key reads as not-found, a missing bucket too', async () => {
    await run('put-object', { key: 'tmp/gone.txt', body: 'x' })
    expect(await run('delete-object', { key: 'tmp/gone.txt' })).toEqual({
      bucket,
      key: 'tmp/gone.txt',
      deleted: true,
    })
    expect(await run('delete-object', { key: 'tmp/gone.txt' })).toMatchObject({ deleted: true })
    const missing = await connectorFailure(run('get-object', { key: 'tmp/gone.txt' }))
    expect(missing).toMatchObject({ reason: 'not-found', status: 404, retryable: false })
    const noBucket = await connectorFailure(
      run('get-object', { bucket: 'no-such-bucket', key: 'x' }),
    )
    expect(noBucket).toMatchObject({ reason: 'not-found' })
    const noneGiven = await connectorFailure(
      run('get-object', { key: 'x' }, { config: { bucket: undefined } }),
    )
    expect(noneGiven).toMatchObject({ reason: 'invalid-request' })
  })

  it('rejects an unknown access key id as unauthorized, without the secret in the message', async () => {
    const error = await connectorFailure(
      run(
        'get-object',
        { key: 'reports/2024-05.json' },
        { config: { credentials: { accessKeyId: 'WRONG', secretAccessKey: 'not-shown-s3cret' } } },
      ),
    )
    expect(error).toMatchObject({ reason: 'unauthorized', status: 403 })
    expect(error.message).not.toContain('not-shown-s3cret')
  })

  it('checks a configuration with HeadBucket', async () => {
    const check = checkRunner(s3Connector, config)
    await expect(check()).resolves.toBeUndefined()
    expect(await connectorFailure(check({ bucket: 'no-such-bucket' }))).toMatchObject({
      action: 'check',
      reason: 'not-found',
    })
    expect(
      await connectorFailure(
        check({ credentials: { accessKeyId: 'WRONG', secretAccessKey: 'x' } }),
      ),
    ).toMatchObject({ reason: 'unauthorized' })
    expect(await connectorFailure(check({ endpoint: 'http://127.0.0.1:1' }))).toMatchObject({
      reason: 'network',
      retryable: true,
    })
  })

  it('runs as a workflow action node with credentials from secret references', async () => {
    const archive = createS3Connector({ id: 'archive' })
    const workflow = createWorkflow({
      id: 'archive-report',
      input: z.object({ month: z.string(), total: z.number() }),
    })
      .map(({ input }) => ({
        key: `engine/${input.month}.json`,
        body: JSON.stringify({ total: input.total }),
        contentType: 'application/json',
      }))
      .action(archive, 'put-object', {
        region: 'us-east-1',
        endpoint,
        forcePathStyle: true,
        bucket,
        credentials: {
          accessKeyId: { $secret: 'S3_ACCESS_KEY_ID' },
          secretAccessKey: { $secret: 'S3_SECRET_ACCESS_KEY' },
        },
      })
      .commit()
    const engine = createEngine({
      secrets: mapSecrets({ S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER' }),
    })
    try {
      const started = await engine.start(workflow, { month: '2024-06', total: 7 })
      expect(await started.result()).toMatchObject({ bucket, key: 'engine/2024-06.json' })
      const stored = await run('get-object', { key: 'engine/2024-06.json', as: 'json' })
      expect(stored.body).toEqual({ total: 7 })
      expect(stored.metadata['tessera-idempotency-key']).toBe(`${started.id}:archive.put-object`)
    } finally {
      await engine.close()
    }
  })
})

describe('the S3 connector against S3 error answers', () => {
  const errors = () => ({ config: { endpoint: errorEndpoint } })

  it('maps SignatureDoesNotMatch to unauthorized', async () => {
    expect(
      await connectorFailure(run('get-object', { key: 'bad-signature' }, errors())),
    ).toMatchObject({
      reason: 'unauthorized',
      status: 403,
    })
  })

  it('maps SlowDown and 429 to rate-limited with Retry-After', async () => {
    const slow = await connectorFailure(run('get-object', { key: 'slow-down' }, errors()))
    expect(slow).toMatchObject({ reason: 'rate-limited', status: 503, retryable: true })
    expect(slow.retryAfterMs).toBe(7000)
    const many = await connectorFailure(run('get-object', { key: 'too-many' }, errors()))
    expect(many).toMatchObject({ reason: 'rate-limited', status: 429, retryAfterMs: 2000 })
  })

  it('maps a 500 to a retryable remote error, and a broken body to invalid-response', async () => {
    expect(await connectorFailure(run('get-object', { key: 'broken' }, errors()))).toMatchObject({
      reason: 'remote',
      status: 500,
      retryable: true,
    })
    const list = await connectorFailure(run('list-objects', { prefix: 'not-xml' }, errors()))
    expect(list).toMatchObject({ reason: 'invalid-response', status: 200, retryable: false })
  })

  it('lists page by page with continuation tokens', async () => {
    const seen: string[] = []
    const tokens: (string | undefined)[] = []
    let token: string | undefined
    let pages = 0
    do {
      const page = await run(
        'list-objects',
        { prefix: 'pages/', maxKeys: 2, ...(token ? { continuationToken: token } : {}) },
        errors(),
      )
      pages++
      seen.push(...page.objects.map((object: { key: string }) => object.key))
      token = page.isTruncated ? page.nextContinuationToken : undefined
      tokens.push(token)
    } while (token !== undefined && pages < 10)
    expect(pages).toBe(3)
    expect(tokens).toEqual(['opaque-2', 'opaque-4', undefined])
    expect(seen).toEqual(pageKeys)
  })

  it('stops a pending request when the signal aborts', async () => {
    const controller = new AbortController()
    const pending = run('get-object', { key: 'hang' }, { ...errors(), signal: controller.signal })
    await waitFor(() => errorRequests.some((request) => request.url?.includes('/hang')))
    controller.abort(new Error('run cancelled'))
    expect(await connectorFailure(pending)).toMatchObject({ reason: 'aborted', retryable: false })
  })
})
