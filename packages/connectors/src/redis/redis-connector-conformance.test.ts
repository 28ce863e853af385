import { Redis } from 'ioredis'
import { afterAll } from 'vitest'
import { describeConnectorConformance } from '@tessera/core/testing'
import { requireService, uniqueName, whenUp } from '../../test/services'
import { closeRedisConnectorClients, redisConnector } from './redis-connector'
import { redisIdempotencyField } from './redis-connector-actions'

// The connector conformance suite on the real Redis server. The URL is the secret; an ACL user
// that does not exist is the rejected credential. stream-add writes the idempotency key into a
// field of the entry, read back with XREVRANGE. No slow call:
// Redis has no command that the connector would hold open (blocking commands are not allowed).

const url = 'redis://127.0.0.1:6379/0'
const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 })
admin.on('error', () => undefined)
const up = await requireService('Redis', url, () => admin.ping())
const prefix = `${uniqueName('redisconf')}:`

afterAll(async () => {
  if (up) await admin.del(`${prefix}events`)
  await closeRedisConnectorClients()
  admin.disconnect()
})

whenUp(up, 'Redis at 127.0.0.1:6379', () =>
  describeConnectorConformance({
    connector: redisConnector,
    config: () => ({ url: { $secret: 'REDIS_URL' }, keyPrefix: prefix }),
    secrets: { REDIS_URL: url },
    action: { name: 'stream-add', input: { stream: 'events', fields: { type: 'conformance' } } },
    unreachable: () => ({ host: '127.0.0.1', port: 1 }),
    slow: {
      unsupported:
        'Redis has no command the connector holds open (blocking commands are not allowed)',
    },
    rejectedSecrets: { REDIS_URL: 'redis://no_such_user:conformance-wrong@127.0.0.1:6379/0' },
    idempotency: {
      lastReceived: async () => {
        const [entry] = await admin.xrevrange(`${prefix}events`, '+', '-', 'COUNT', 1)
        const fields = entry?.[1] ?? []
        const at = fields.indexOf(redisIdempotencyField)
        return at === -1 ? undefined : fields[at + 1]
      },
    },
  }),
)
