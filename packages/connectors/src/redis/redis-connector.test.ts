import { createServer as createTcpServer, type Socket } from 'node:net'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createEngine, createWorkflow, mapSecrets } from '@tessera/core'
import { actionRunner, checkRunner, connectorFailure } from '../../test/action-kit'
import { requireService, uniqueName } from '../../test/services'
import { closeRedisConnectorClients, createRedisConnector, redisConnector } from './redis-connector'
import { redisConnectorConfigSchema } from './redis-connector-config'

const url = 'redis://127.0.0.1:6379'
const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 })
admin.on('error', () => undefined)
const up = await requireService('Redis', url, () => admin.ping())

const prefix = `${uniqueName('redisconn')}:`
const config = { host: '127.0.0.1', port: 6379, keyPrefix: prefix }

const run = actionRunner(redisConnector, () => config)

describe.runIf(up)('the Redis connector against a real server', () => {
  afterAll(async () => {
    const keys = await admin.keys(`${prefix}*`)
    const guards = await admin.keys('tessera-idempotency:*redisconn*')
    if (keys.length + guards.length > 0) await admin.del(...keys, ...guards)
    await closeRedisConnectorClients()
    admin.disconnect()
  })

  it('describes itself, and refuses credentials written into the configuration', () => {
    expect(redisConnector).toMatchObject({ id: 'redis', name: 'Redis' })
    expect(Object.keys(redisConnector.actions)).toEqual([
      'get',
      'set',
      'delete',
      'increment',
      'hash-get',
      'hash-set',
      'publish',
      'stream-add',
      'command',
    ])
    const schema = redisConnectorConfigSchema
    expect(schema.safeParse({ url: { $secret: 'REDIS_URL' } }).success).toBe(true)
    expect(schema.safeParse({ url }).success).toBe(false)
    expect(schema.safeParse({ host: 'h', password: 'hunter2' }).success).toBe(false)
    expect(schema.safeParse({ host: 'h', password: { $secret: 'P' }, db: 2 }).success).toBe(true)
  })

  it('gets, sets with EX and NX, deletes, all under the key prefix', async () => {
    expect(await run('get', { key: 'a' })).toEqual({ value: null })
    expect(await run('set', { key: 'a', value: 'one', ttlSeconds: 60 })).toEqual({ written: true })
    expect(await admin.get(`${prefix}a`)).toBe('one')
    expect(await admin.ttl(`${prefix}a`)).toBeGreaterThan(50)
    expect(await run('set', { key: 'a', value: 'two', nx: true })).toEqual({ written: false })
    expect(await run('set', { key: 'b', value: 2, xx: true })).toEqual({ written: false })
    expect(await run('get', { key: 'a' })).toEqual({ value: 'one' })
    expect(await run('delete', { keys: ['a', 'b'] })).toEqual({ deleted: 1 })
    expect(await admin.exists(`${prefix}a`)).toBe(0)
    expect(
      redisConnector.actions.set.input.safeParse({ key: 'a', value: 'x', nx: true, xx: true })
        .success,
    ).toBe(false)
  })

  it('increments, and with once counts a step exactly once', async () => {
    expect(await run('increment', { key: 'n' })).toEqual({ value: 1, replayed: false })
    expect(await run('increment', { key: 'n', by: 5 })).toEqual({ value: 6, replayed: false })
    const key = `${uniqueName('redisconn-run')}:count`
    expect(await run('increment', { key: 'n', by: 10, once: true }, { key })).toEqual({
      value: 16,
      replayed: false,
    })
    expect(await run('increment', { key: 'n', by: 10, once: true }, { key })).toEqual({
      value: 16,
      replayed: true,
    })
    expect(await admin.get(`${prefix}n`)).toBe('16')
  })

  it('reads and writes hashes', async () => {
    expect(
      await run('hash-set', { key: 'h', values: { name: 'Ada', tier: 'gold', visits: 3 } }),
    ).toEqual({ added: 3 })
    expect(await run('hash-get', { key: 'h', fields: ['name', 'missing'] })).toEqual({
      values: { name: 'Ada', missing: null },
    })
    expect(await run('hash-get', { key: 'h' })).toEqual({
      values: { name: 'Ada', tier: 'gold', visits: '3' },
    })
    const wrongType = await connectorFailure(run('get', { key: 'h' }))
    expect(wrongType).toMatchObject({ reason: 'invalid-request', status: 'WRONGTYPE' })
  })

  it('publishes to subscribers', async () => {
    const channel = uniqueName('redisconn-channel')
    const subscriber = new Redis(url)
    try {
      const received = new Promise<string>((resolve) =>
        subscriber.on('message', (_c, message: string) => resolve(message)),
      )
      await subscriber.subscribe(channel)
      expect(await run('publish', { channel, message: { id: 42 } })).toEqual({ receivers: 1 })
      expect(JSON.parse(await received)).toEqual({ id: 42 })
    } finally {
      subscriber.disconnect()
    }
  })

  it('adds stream entries with the idempotency key in a field, once when asked', async () => {
    const added = await run(
      'stream-add',
      { stream: 's', fields: { type: 'paid', order: 42 } },
      { key: 'run-1:pay' },
    )
    expect(added.id).toMatch(/^\d+-\d+$/)
    const entries = await admin.xrange(`${prefix}s`, '-', '+')
    expect(entries).toEqual([
      [added.id, ['type', 'paid', 'order', '42', 'tessera-idempotency-key', 'run-1:pay']],
    ])
    const key = `${uniqueName('redisconn-run')}:emit`
    const first = await run(
      'stream-add',
      { stream: 's', fields: { type: 'x' }, once: true, maxLen: 100 },
      { key },
    )
    const again = await run(
      'stream-add',
      { stream: 's', fields: { type: 'x' }, once: true, maxLen: 100 },
      { key },
    )
    expect(again).toEqual({ id: first.id, replayed: true })
    expect(await admin.xlen(`${prefix}s`)).toBe(2)
  })

  it('runs allowlisted commands with array arguments and refuses the rest', async () => {
    expect(await run('command', { command: 'ZADD', args: ['z', 120, 'ada', 90, 'bob'] })).toEqual({
      result: 2,
    })
    expect(await run('command', { command: 'ZRANGE', args: ['z', 0, -1] })).toEqual({
      result: ['bob', 'ada'],
    })
    expect(await admin.zcard(`${prefix}z`)).toBe(2)
    // An argument that looks like a command stays one argument.
    expect(await run('command', { command: 'SET', args: ['evil', 'x\r\nFLUSHALL\r\n'] })).toEqual({
      result: 'OK',
    })
    expect(await admin.get(`${prefix}evil`)).toBe('x\r\nFLUSHALL\r\n')
    for (const forbidden of ['FLUSHALL', 'EVAL', 'CONFIG', 'KEYS', 'flushdb', 'SCAN', 'get'])
      expect(
        redisConnector.actions.command.input.safeParse({ command: forbidden, args: [] }).success,
      ).toBe(false)
    const bad = await connectorFailure(run('command', { command: 'INCRBY', args: ['z2'] }))
    expect(bad).toMatchObject({ reason: 'invalid-request', status: 'ERR' })
  })

  it('maps rejected passwords, unreachable servers and aborts', async () => {
    const denied = await connectorFailure(
      run(
        'get',
        { key: 'a' },
        { config: { username: 'no_such_user', password: 'not-shown-s3cret' } },
      ),
    )
    expect(denied.reason).toBe('unauthorized')
    expect(denied.message).not.toContain('not-shown-s3cret')
    const down = await connectorFailure(run('get', { key: 'a' }, { config: { port: 1 } }))
    expect(down).toMatchObject({ reason: 'network', retryable: true })
    const controller = new AbortController()
    controller.abort(new Error('cancelled'))
    expect(
      await connectorFailure(run('get', { key: 'a' }, { signal: controller.signal })),
    ).toMatchObject({
      reason: 'aborted',
    })
  })

  it('stops waiting at once when the signal aborts a pending command', async () => {
    // A server that accepts connections and never answers: the command stays pending.
    const sockets: Socket[] = []
    const silent = createTcpServer((socket) => sockets.push(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const port = (silent.address() as { port: number }).port
    try {
      const controller = new AbortController()
      const pending = run('get', { key: 'a' }, { config: { port }, signal: controller.signal })
      for (let attempt = 0; attempt < 200 && sockets.length === 0; attempt++)
        await new Promise((resolve) => setTimeout(resolve, 10))
      expect(sockets.length).toBeGreaterThan(0)
      controller.abort(new Error('run cancelled'))
      expect(await connectorFailure(pending)).toMatchObject({ reason: 'aborted', retryable: false })
    } finally {
      await closeRedisConnectorClients()
      sockets.forEach((socket) => socket.destroy())
      await new Promise((resolve) => silent.close(resolve))
    }
  })

  it('checks a configuration with PING', async () => {
    const check = checkRunner(redisConnector, () => config)
    await expect(check()).resolves.toBeUndefined()
    expect(await connectorFailure(check({ port: 1 }))).toMatchObject({
      action: 'check',
      reason: 'network',
    })
  })

  it('runs as a workflow action node with a secret reference resolved by the engine', async () => {
    const cache = createRedisConnector({ id: 'cache' })
    const workflow = createWorkflow({
      id: uniqueName('redis-flow'),
      input: z.object({ page: z.string() }),
    })
      .map(({ input }) => ({ key: `visits:${input.page}`, once: true }))
      .action(cache, 'increment', { url: { $secret: 'CACHE_REDIS_URL' }, keyPrefix: prefix })
      .commit()
    const engine = createEngine({ secrets: mapSecrets({ CACHE_REDIS_URL: url }) })
    try {
      const started = await engine.start(workflow, { page: 'home' })
      expect(await started.result()).toEqual({ value: 1, replayed: false })
      expect(await admin.get(`${prefix}visits:home`)).toBe('1')
    } finally {
      await engine.close()
    }
  })
})
