import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  crashingOnce,
  eventually,
  orderIdsOf,
  orderWorkflow,
  runsOf,
  testEngine,
} from '../../test/consumer-kit'
import { requireService, uniqueName } from '../../test/services'
import { pingRedis } from '../../test/redis-probe'
import { redisStreamTrigger } from './index'

const url = process.env.TESSERA_REDIS_URL ?? 'redis://127.0.0.1:6379'
const up = await requireService('Redis', url, () => pingRedis(url))

describe.runIf(up)('redisStreamTrigger (real Redis)', { timeout: 30_000 }, () => {
  let redis: Redis
  const keys: string[] = []

  const stream = () => {
    const name = uniqueName('tessera:stream')
    keys.push(name, `${name}:dead`)
    return name
  }
  const add = (name: string, value: unknown) => redis.xadd(name, '*', 'data', JSON.stringify(value))

  beforeAll(() => {
    redis = new Redis(url)
  })
  afterAll(async () => {
    if (keys.length > 0) await redis.del(...keys)
    await redis.quit()
  })

  it('N entries → N runs, acknowledged; a second delivery of an entry starts no second run', async () => {
    const name = stream()
    const consumer = orderWorkflow(uniqueName('redis_consumer'))
    const { engine, store } = testEngine({ REDIS_URL: url })
    try {
      for (let index = 0; index < 5; index++) await add(name, { orderId: `o-${index}` })
      const trigger = redisStreamTrigger({
        id: 'orders',
        url: { $secret: 'REDIS_URL' },
        stream: name,
        group: 'tessera',
        startId: '0',
        workflow: consumer,
        blockMs: 200,
      })
      const subscription = await engine.startTrigger(trigger)
      await eventually('5 runs, nothing pending', async () => {
        const pending = (await redis.xpending(name, 'tessera')) as [number, ...unknown[]]
        return (await runsOf(store, consumer.id)).length === 5 && pending[0] === 0
      })
      await subscription.stop()
      // Redeliver everything: a new group over the same stream and the same trigger id.
      await redis.xgroup('SETID', name, 'tessera', '0')
      const again = await engine.startTrigger(trigger)
      await eventually('re-read and acknowledged', async () => {
        const info = (await redis.xinfo('GROUPS', name)) as unknown[][]
        const lag = info[0]![info[0]!.indexOf('lag') + 1]
        const pending = (await redis.xpending(name, 'tessera')) as [number]
        return lag === 0 && pending[0] === 0
      })
      await again.stop()
      expect(await orderIdsOf(store, consumer.id)).toEqual(['o-0', 'o-1', 'o-2', 'o-3', 'o-4'])
    } finally {
      await engine.close()
    }
  })

  it('a crash before XACK: another consumer claims the stale entry (XAUTOCLAIM), one run', async () => {
    const name = stream()
    const consumer = orderWorkflow(uniqueName('redis_crash'))
    const { engine, store } = testEngine()
    try {
      const crashing = crashingOnce(
        redisStreamTrigger({
          id: 'crash',
          url,
          stream: name,
          group: 'g',
          consumer: 'worker-a',
          workflow: consumer,
          blockMs: 100,
        }),
      )
      const first = await engine.startTrigger(crashing)
      await add(name, { orderId: 'o-crash' })
      await eventually('the crash', () => crashing.crashes === 1)
      await first.stop()
      const pending = (await redis.xpending(name, 'g', '-', '+', 10)) as [
        string,
        string,
        number,
        number,
      ][]
      expect(pending.map((entry) => entry[1])).toEqual(['worker-a'])

      const claimer = crashingOnce(
        redisStreamTrigger({
          id: 'crash',
          url,
          stream: name,
          group: 'g',
          consumer: 'worker-b',
          workflow: consumer,
          claimIdleMs: 50,
          blockMs: 100,
        }),
      )
      claimer.crashes = 1 // this one does not crash
      const second = await engine.startTrigger(claimer)
      await eventually('claimed and acknowledged', async () => {
        const summary = (await redis.xpending(name, 'g')) as [number]
        return claimer.duplicates === 1 && summary[0] === 0
      })
      await second.stop()
      expect(await runsOf(store, consumer.id)).toHaveLength(1)
    } finally {
      await engine.close()
    }
  })

  it('an invalid entry goes to the dead-letter stream, acknowledged, no run', async () => {
    const name = stream()
    const consumer = orderWorkflow(uniqueName('redis_invalid'))
    const { engine, store } = testEngine()
    try {
      const subscription = await engine.startTrigger(
        redisStreamTrigger({
          id: 'invalid',
          url,
          stream: name,
          group: 'g',
          workflow: consumer,
          deadLetterStream: `${name}:dead`,
          blockMs: 100,
        }),
      )
      const badId = await add(name, { nope: true })
      await eventually('dead-lettered', async () => (await redis.xlen(`${name}:dead`)) === 1)
      await subscription.stop()
      const entries = (await redis.xrange(`${name}:dead`, '-', '+')) as [string, string[]][]
      expect(entries).toHaveLength(1)
      const fields = entries[0]![1]
      expect(fields).toContain('tessera-source-id')
      expect(fields[fields.indexOf('tessera-source-id') + 1]).toBe(badId)
      expect(fields[fields.indexOf('tessera-error') + 1]).toContain('validation_failed')
      expect(((await redis.xpending(name, 'g')) as [number])[0]).toBe(0)
      expect(await runsOf(store, consumer.id)).toHaveLength(0)
    } finally {
      await engine.close()
    }
  })

  it('refuses a configuration with neither url nor client', async () => {
    const { engine } = testEngine()
    try {
      await expect(
        engine.startTrigger(
          redisStreamTrigger({
            id: 'bad',
            stream: 's',
            group: 'g',
            workflow: orderWorkflow(uniqueName('w')),
          }),
        ),
      ).rejects.toMatchObject({ reason: 'invalid-config' })
    } finally {
      await engine.close()
    }
  })
})
