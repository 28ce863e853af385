import { Redis } from 'ioredis'
import { afterAll, it } from 'vitest'
import { describeConnectorConformance } from '@tessera/core/testing'
import { requireService, uniqueName } from '../../test/services'
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

if (up)
  describeConnectorConformance({
    connector: redisConnector,
    config: () => ({ url: { $secret: 'REDIS_URL' }, keyPrefix: prefix }),
    secrets: { REDIS_URL: url },
    action: { name: 'stream-add', input: { stream: 'events', fields: { type: 'conformance' } } },
    unreachable: () => ({ host: '127.0.0.1', port: 1 }),
    rejectedSecrets: { REDIS_URL: 'redis://no_such_user:conformance-wrong@127.0.0.1:6379/0' },
    idempotency: {
      lastReceived: async () => {
        const [entry] = await admin.xrevrange(`${prefix}events`, '+', '-', 'COUNT', 1)
        const fields = entry?.[1] ?? []
        const at = fields.indexOf(redisIdempotencyField)
        return at === -1 ? undefined : fields[at + 1]
      },
    },
  })
else it.skip('Redis connector conformance (no server)', () => undefined)
