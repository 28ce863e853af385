import { readdirSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { describeConnectorConformance } from '@tessera/core/testing'
import { startLocalS3, type LocalS3 } from '../../test/s3rver'
import { closeS3Clients, s3Connector } from './s3-connector'

// The connector conformance suite on a real s3rver (which checks the access key id; it does not
// verify SigV4 signatures, so the rejected credential is an unknown access key id). The
// idempotency key reaches the server as x-amz-meta-tessera-idempotency-key, read back from
// s3rver's metadata file. The slow call goes to a server that never answers.

let s3rver: LocalS3
let endpoint = ''
let holdServer: Server
let holdEndpoint = ''
const held = { arrived: 0, closed: 0 }
const bucket = 'conformance'

beforeAll(async () => {
  s3rver = await startLocalS3([bucket])
  endpoint = s3rver.endpoint
  holdServer = createServer((request, response) => {
    held.arrived++
    request.resume()
    response.on('close', () => held.closed++)
  })
  await new Promise<void>((resolve) => holdServer.listen(0, '127.0.0.1', resolve))
  holdEndpoint = `http://127.0.0.1:${(holdServer.address() as AddressInfo).port}`
})

afterAll(async () => {
  await closeS3Clients()
  await s3rver.close()
  holdServer.closeAllConnections()
  await new Promise((resolve) => holdServer.close(resolve))
})

const credentials = {
  accessKeyId: { $secret: 'S3_ACCESS_KEY_ID' },
  secretAccessKey: { $secret: 'S3_SECRET_ACCESS_KEY' },
}
const config = (at: () => string) => () => ({
  region: 'us-east-1',
  endpoint: at(),
  forcePathStyle: true,
  bucket,
  credentials,
  maxAttempts: 1,
})

function lastMetadataKey(): string | undefined {
  const folder = join(s3rver.directory, bucket)
  const file = readdirSync(folder).find(
    (name) => name.startsWith('conformance.txt') && name.includes('metadata'),
  )
  if (file === undefined) return undefined
  const metadata = JSON.parse(readFileSync(join(folder, file), 'utf8')) as Record<string, string>
  return metadata['x-amz-meta-tessera-idempotency-key']
}

describeConnectorConformance({
  connector: s3Connector,
  config: config(() => endpoint),
  secrets: { S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER' },
  action: { name: 'put-object', input: { key: 'conformance.txt', body: 'hello' } },
  unreachable: config(() => 'http://127.0.0.1:1'),
  rejectedSecrets: { S3_ACCESS_KEY_ID: 'UNKNOWNKEYID', S3_SECRET_ACCESS_KEY: 'conformance-wrong' },
  slow: () => {
    const before = { ...held }
    return {
      name: 'get-object',
      input: { key: 'held' },
      config: config(() => holdEndpoint)(),
      inFlight: () => held.arrived > before.arrived,
      released: () => held.closed > before.closed,
    }
  },
  idempotency: { lastReceived: lastMetadataKey },
  notSecrets: {
    credentials:
      'the object that holds the accessKeyId, secretAccessKey and sessionToken secret references',
  },
})
