import { describe, expect, it, vi } from 'vitest'
import { ConnectorError, noopLogger } from '@tessera/core'
import { postgresConnector } from '../src/postgres/postgres-connector'
import { mysqlConnector } from '../src/mysql/mysql-connector'
import { redisConnector } from '../src/redis/redis-connector'
import { s3Connector } from '../src/s3/s3-connector'

// The drivers and the AWS SDK are optional peers: without one, the first action fails with
// invalid-config and names the package to install. Each import below fails the way Node's does
// for a package that is not there. (The connector modules import their driver's types only.)
const { missing } = vi.hoisted(() => ({
  missing: (name: string) => () => {
    throw Object.assign(new Error(`Cannot find package '${name}'`), {
      code: 'ERR_MODULE_NOT_FOUND',
    })
  },
}))
vi.mock('pg', missing('pg'))
vi.mock('mysql2/promise', missing('mysql2'))
vi.mock('ioredis', missing('ioredis'))
vi.mock('@aws-sdk/client-s3', missing('@aws-sdk/client-s3'))

const context = {
  signal: new AbortController().signal,
  idempotencyKey: 'run-1:step',
  logger: noopLogger,
}

describe('data connectors without their driver', () => {
  it.each([
    [
      'pg',
      'PostgreSQL',
      () =>
        postgresConnector.actions.query.run({
          ...context,
          config: { host: '127.0.0.1' },
          input: { sql: 'SELECT 1', params: [] },
        }),
    ],
    [
      'mysql2',
      'MySQL / MariaDB',
      () =>
        mysqlConnector.actions.query.run({
          ...context,
          config: { host: '127.0.0.1' },
          input: { sql: 'SELECT 1', params: [] },
        }),
    ],
    [
      'ioredis',
      'Redis',
      () =>
        redisConnector.actions.get.run({
          ...context,
          config: { host: '127.0.0.1' },
          input: { key: 'a' },
        }),
    ],
    [
      '@aws-sdk/client-s3',
      'S3',
      () =>
        s3Connector.actions['get-object'].run({
          ...context,
          config: { region: 'us-east-1', bucket: 'b' },
          input: { key: 'a' },
        }),
    ],
  ])('%s missing: invalid-config naming the package', async (name, connector, call) => {
    const error = await call().then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(ConnectorError.isInstance(error), String(error)).toBe(true)
    expect(error).toMatchObject({ reason: 'invalid-config', retryable: false })
    expect((error as Error).message).toContain(`install ${name} to use the ${connector} connector`)
  })
})
