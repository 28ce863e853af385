import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
// @ts-expect-error s3rver ships no type declarations
import S3rverModule from 's3rver'

interface S3rverInstance {
  run(): Promise<AddressInfo>
  close(): Promise<void>
}
const S3rver = S3rverModule as new (options: Record<string, unknown>) => S3rverInstance

/** A running s3rver on loopback, storing into a temporary directory. */
export interface LocalS3 {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string
  /** Where s3rver keeps the buckets (one folder each). */
  directory: string
  close(): Promise<void>
}

/**
 * Starts s3rver (an S3-compatible server for tests) on a free loopback port with `buckets`
 * created. Its credentials are `S3RVER`/`S3RVER`; it checks the access key id, not signatures.
 *
 * @example
 * ```ts
 * const s3 = await startLocalS3(['reports'])
 * afterAll(() => s3.close())
 * ```
 */
export async function startLocalS3(buckets: readonly string[]): Promise<LocalS3> {
  const directory = mkdtempSync(join(tmpdir(), 'tessera-s3-'))
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  })
  const address = await server.run()
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    directory,
    async close() {
      await server.close()
      rmSync(directory, { recursive: true, force: true })
    },
  }
}
