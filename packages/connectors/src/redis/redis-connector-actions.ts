import { z } from 'zod'
import type { Redis } from 'ioredis'
import type { ConnectorAction, WithSecretsResolved } from '@tessera/core'
import type { redisConnectorConfigSchema } from './redis-connector-config'
import { redisCommandAllowlist } from './redis-command-allowlist'

type Config = WithSecretsResolved<z.output<typeof redisConnectorConfigSchema>>

/**
 * Runs `work` with the configuration's client, mapping failures and the abort signal.
 *
 * @example
 * ```ts
 * const run: RedisRunner = async (action, { config, signal }, work) => work(await clientFor(config))
 * ```
 */
export type RedisRunner = <T>(
  action: string,
  context: { config: Config; signal: AbortSignal },
  work: (client: Redis) => Promise<T>,
) => Promise<T>

/**
 * The field that `stream-add` writes the step's idempotency key to, so consumers can drop
 * duplicates.
 *
 * @example
 * ```ts
 * const [, fields] = entry // ['type', 'paid', redisIdempotencyField, 'run-42:emit']
 * ```
 */
export const redisIdempotencyField = 'tessera-idempotency-key'
const defaultIdempotencyTtlSeconds = 604_800

const key = z.string().min(1).max(10_000).describe('The key (after the configured keyPrefix)')
const scalar = z.union([z.string(), z.number(), z.boolean()])
const once = z
  .boolean()
  .optional()
  .describe(
    'Exactly once per step: a retry with the same idempotency key returns the first result without writing again',
  )

// Guarded writes: KEYS[2] remembers the first result under the step's idempotency key.
const incrementOnce = `local seen = redis.call('GET', KEYS[2])
if seen then return {1, seen} end
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], value, 'EX', ARGV[2])
return {0, tostring(value)}`
const streamAddOnce = `local seen = redis.call('GET', KEYS[2])
if seen then return {1, seen} end
local id = redis.call('XADD', KEYS[1], unpack(ARGV, 2))
redis.call('SET', KEYS[2], id, 'EX', ARGV[1])
return {0, id}`

function guardKey(action: string, idempotencyKey: string): string {
  return `tessera-idempotency:${action}:${idempotencyKey}`
}

/**
 * Builds the Redis connector's actions around a runner that supplies the client.
 *
 * @example
 * ```ts
 * const actions = createRedisActions(runner)
 * ```
 */
export function createRedisActions(run: RedisRunner) {
  const get = {
    title: 'Get a value',
    description: 'Reads a string value (GET); null when the key does not exist',
    examples: [{ input: { key: 'session:42' } }],
    input: z.object({ key }).strict(),
    output: z.object({ value: z.string().nullable().describe('The value, or null') }),
    run: (context) =>
      run('get', context, async (client) => ({ value: await client.get(context.input.key) })),
  } satisfies ConnectorAction<Config, { key: string }, { value: string | null }>

  const setInput = z
    .object({
      key,
      value: scalar.describe('The value; numbers and booleans are stored as text'),
      ttlSeconds: z
        .number()
        .int()
        .min(1)
        .optional()
        .describe('Expire after this many seconds (EX)'),
      nx: z
        .boolean()
        .optional()
        .describe('Only set when the key does not exist (NX): a retry never overwrites'),
      xx: z.boolean().optional().describe('Only set when the key exists (XX)'),
    })
    .strict()
    .refine((input) => !(input.nx === true && input.xx === true), {
      message: 'nx and xx exclude each other',
      path: ['xx'],
    })
  const set = {
    title: 'Set a value',
    description:
      'Writes a string value (SET) with an optional expiry; with nx only when the key is new',
    examples: [
      { title: 'Cache for an hour', input: { key: 'price:A-1', value: '12.50', ttlSeconds: 3600 } },
      { title: 'Claim once', input: { key: 'lock:order-42', value: 'worker-1', nx: true } },
    ],
    input: setInput,
    output: z.object({
      written: z.boolean().describe('False when nx or xx prevented the write'),
    }),
    run: (context) =>
      run('set', context, async (client) => {
        const { input } = context
        const args: (string | number)[] = [input.key, String(input.value)]
        if (input.ttlSeconds !== undefined) args.push('EX', input.ttlSeconds)
        if (input.nx === true) args.push('NX')
        if (input.xx === true) args.push('XX')
        const reply = await client.call('SET', ...args)
        return { written: reply === 'OK' }
      }),
  } satisfies ConnectorAction<Config, z.output<typeof setInput>, { written: boolean }>

  const deleteInput = z
    .object({ keys: z.array(key).min(1).max(10_000).describe('The keys to delete') })
    .strict()
  const del = {
    title: 'Delete keys',
    description: 'Deletes keys (DEL) and returns how many existed',
    examples: [{ input: { keys: ['session:42', 'cart:42'] } }],
    input: deleteInput,
    output: z.object({ deleted: z.number().int().describe('How many of the keys existed') }),
    run: (context) =>
      run('delete', context, async (client) => ({
        deleted: await client.del(...context.input.keys),
      })),
  } satisfies ConnectorAction<Config, z.output<typeof deleteInput>, { deleted: number }>

  const incrementInput = z
    .object({
      key,
      by: z.number().int().optional().describe('The amount (INCRBY). Default 1'),
      once,
    })
    .strict()
  const increment = {
    title: 'Increment a counter',
    description:
      'Adds to an integer value (INCRBY) and returns the new value; with once, exactly once per step',
    examples: [
      { input: { key: 'visits:home' } },
      { title: 'Count a payment once', input: { key: 'paid:total', by: 25, once: true } },
    ],
    input: incrementInput,
    output: z.object({
      value: z.number().int().describe('The value after the increment'),
      replayed: z
        .boolean()
        .describe('True when once found an earlier attempt of this step: value is its result'),
    }),
    run: (context) =>
      run('increment', context, async (client) => {
        const { input, config } = context
        const by = input.by ?? 1
        if (input.once !== true)
          return { value: await client.incrby(input.key, by), replayed: false }
        const [seen, value] = (await client.eval(
          incrementOnce,
          2,
          input.key,
          guardKey('increment', context.idempotencyKey),
          by,
          config.idempotencyTtlSeconds ?? defaultIdempotencyTtlSeconds,
        )) as [number, string]
        return { value: Number(value), replayed: seen === 1 }
      }),
  } satisfies ConnectorAction<
    Config,
    z.output<typeof incrementInput>,
    { value: number; replayed: boolean }
  >

  const hashGetInput = z
    .object({
      key,
      fields: z
        .array(z.string().min(1))
        .min(1)
        .optional()
        .describe('The fields to read (HMGET); all of them (HGETALL) when absent'),
    })
    .strict()
  const hashGet = {
    title: 'Read a hash',
    description:
      'Reads fields of a hash (HMGET), or the whole hash (HGETALL); missing fields are null',
    examples: [
      { input: { key: 'customer:42', fields: ['name', 'tier'] } },
      { input: { key: 'customer:42' } },
    ],
    input: hashGetInput,
    output: z.object({
      values: z.record(z.string(), z.string().nullable()).describe('Field → value (null: missing)'),
    }),
    run: (context) =>
      run('hash-get', context, async (client) => {
        const { input } = context
        if (input.fields === undefined) return { values: await client.hgetall(input.key) }
        const values = await client.hmget(input.key, ...input.fields)
        return {
          values: Object.fromEntries(
            input.fields.map((field, index) => [field, values[index] ?? null]),
          ),
        }
      }),
  } satisfies ConnectorAction<
    Config,
    z.output<typeof hashGetInput>,
    { values: Record<string, string | null> }
  >

  const hashSetInput = z
    .object({
      key,
      values: z
        .record(z.string().min(1), scalar)
        .refine((values) => Object.keys(values).length > 0, 'at least one field')
        .describe('Field → value; numbers and booleans are stored as text'),
    })
    .strict()
  const hashSet = {
    title: 'Write hash fields',
    description: 'Writes fields of a hash (HSET) and returns how many were new',
    examples: [{ input: { key: 'customer:42', values: { name: 'Ada', tier: 'gold' } } }],
    input: hashSetInput,
    output: z.object({ added: z.number().int().describe('How many fields did not exist before') }),
    run: (context) =>
      run('hash-set', context, async (client) => {
        const values = Object.entries(context.input.values).flatMap(([field, value]) => [
          field,
          String(value),
        ])
        return { added: Number(await client.call('HSET', context.input.key, ...values)) }
      }),
  } satisfies ConnectorAction<Config, z.output<typeof hashSetInput>, { added: number }>

  const publishInput = z
    .object({
      channel: z.string().min(1).describe('The channel (not prefixed with keyPrefix)'),
      message: z
        .union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())])
        .describe('The message: a string, or JSON for an object or array'),
    })
    .strict()
  const publish = {
    title: 'Publish a message',
    description: 'Publishes a message on a pub/sub channel (PUBLISH)',
    examples: [{ input: { channel: 'orders', message: { id: 42, status: 'shipped' } } }],
    input: publishInput,
    output: z.object({
      receivers: z.number().int().describe('How many subscribers received it'),
    }),
    run: (context) =>
      run('publish', context, async (client) => {
        const { message, channel } = context.input
        const text = typeof message === 'string' ? message : JSON.stringify(message)
        return { receivers: await client.publish(channel, text) }
      }),
  } satisfies ConnectorAction<Config, z.output<typeof publishInput>, { receivers: number }>

  const streamAddInput = z
    .object({
      stream: key.describe('The stream key (after the configured keyPrefix)'),
      fields: z
        .record(z.string().min(1), scalar)
        .refine((fields) => Object.keys(fields).length > 0, 'at least one field')
        .describe(
          `Field → value; the step's idempotency key is added as "${redisIdempotencyField}"`,
        ),
      maxLen: z
        .number()
        .int()
        .min(1)
        .optional()
        .describe('Trim the stream to about this many entries (MAXLEN ~)'),
      once,
    })
    .strict()
  const streamAdd = {
    title: 'Add to a stream',
    description: `Appends an entry to a stream (XADD) with the step's idempotency key in the "${redisIdempotencyField}" field; with once, exactly once per step`,
    examples: [
      { input: { stream: 'events:orders', fields: { type: 'shipped', order: 42 } } },
      {
        input: {
          stream: 'events:orders',
          fields: { type: 'paid', order: 42 },
          maxLen: 100_000,
          once: true,
        },
      },
    ],
    input: streamAddInput,
    output: z.object({
      id: z.string().describe('The entry id'),
      replayed: z
        .boolean()
        .describe('True when once found an earlier attempt of this step: id is its entry'),
    }),
    run: (context) =>
      run('stream-add', context, async (client) => {
        const { input, config, idempotencyKey } = context
        const args: (string | number)[] = []
        if (input.maxLen !== undefined) args.push('MAXLEN', '~', input.maxLen)
        args.push('*')
        for (const [field, value] of Object.entries(input.fields)) args.push(field, String(value))
        args.push(redisIdempotencyField, idempotencyKey)
        if (input.once !== true) {
          const id = (await client.call('XADD', input.stream, ...args)) as string
          return { id, replayed: false }
        }
        const [seen, id] = (await client.eval(
          streamAddOnce,
          2,
          input.stream,
          guardKey('stream-add', idempotencyKey),
          config.idempotencyTtlSeconds ?? defaultIdempotencyTtlSeconds,
          ...args,
        )) as [number, string]
        return { id, replayed: seen === 1 }
      }),
  } satisfies ConnectorAction<
    Config,
    z.output<typeof streamAddInput>,
    { id: string; replayed: boolean }
  >

  const commandInput = z
    .object({
      command: z
        .enum(redisCommandAllowlist)
        .describe(`One of: ${redisCommandAllowlist.join(', ')}`),
      args: z
        .array(z.union([z.string(), z.number()]))
        .max(100_000)
        .default([])
        .describe('The arguments, each a separate value (never one command string)'),
    })
    .strict()
  const command = {
    title: 'Run a command',
    description:
      'Runs one allowed Redis command with its arguments as an array (no scripting, server or key-space commands)',
    examples: [
      { input: { command: 'ZADD', args: ['leaderboard', 120, 'ada'] } },
      { input: { command: 'LRANGE', args: ['recent:42', 0, 9] } },
    ],
    input: commandInput,
    output: z.object({
      result: z.unknown().describe("Redis's reply: string, number, array or null"),
    }),
    run: (context) =>
      run('command', context, async (client) => ({
        result: (await client.call(context.input.command, ...context.input.args)) ?? null,
      })),
  } satisfies ConnectorAction<Config, z.output<typeof commandInput>, { result: unknown }>

  return {
    get,
    set,
    delete: del,
    increment,
    'hash-get': hashGet,
    'hash-set': hashSet,
    publish,
    'stream-add': streamAdd,
    command,
  }
}
