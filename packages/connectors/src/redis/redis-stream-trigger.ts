import {
  ConnectorError,
  type TriggerContext,
  type TriggerSubscription,
  type TriggerV1,
  type Workflow,
} from '@tessera/core'
import type { Redis } from 'ioredis'
import {
  consumerTrigger,
  createInFlight,
  decideMessage,
  decodeBody,
  describeError,
  resolveSetting,
  type SecretOrValue,
} from '../consumer-trigger'
import { loadSdk } from '../load-sdk'

/**
 * A Redis stream entry as the trigger's `input` and `key` functions see it.
 *
 * @example
 * ```ts
 * const input = (entry: RedisStreamEntry) => ({ orderId: entry.fields.orderId })
 * ```
 */
export interface RedisStreamEntry {
  stream: string
  /** The entry id, such as `1718000000000-0`. */
  id: string
  /** The entry's fields, as strings. */
  fields: Record<string, string>
  /**
   * The run's default input: the `data` field parsed as JSON (text when it does not parse) when
   * the entry has one, else `fields`.
   */
  data: unknown
}

/**
 * Options of {@link redisStreamTrigger}.
 *
 * @example
 * ```ts
 * const options: RedisStreamTriggerOptions = { id: 'signups', url: 'redis://127.0.0.1:6379', stream: 'signups', group: 'tessera', workflow }
 * ```
 */
export interface RedisStreamTriggerOptions<W extends Workflow = Workflow> {
  /** Unique per engine and stable across deploys: it scopes the runs' idempotency keys. */
  id: string
  /** A redis:// URL (or `{ $secret }`, for a URL with a password); or give `client`. */
  url?: SecretOrValue
  /** A client of yours: the trigger duplicates it for its blocking reads, and leaves it open. */
  client?: Redis
  stream: string
  /** The consumer group (created, with the stream, when missing). */
  group: string
  /** This consumer's name in the group; default the engine's worker id. Keep it stable per process. */
  consumer?: string
  /** Where a new group starts: `$` (default: entries added from now on) or `0` (the whole stream). */
  startId?: string
  /** Entries read at once (default 10). */
  count?: number
  /** How long a read blocks waiting for entries (default 2 000 ms; stop() waits at most this long). */
  blockMs?: number
  /** Entries pending longer than this in another consumer (a dead one) are claimed (default 60 000 ms). */
  claimIdleMs?: number
  workflow: W
  /** The run's input for an entry; default `entry.data`. */
  input?: (entry: RedisStreamEntry) => unknown
  /** The run's idempotency key; default the entry id (unique within the stream). */
  key?: (entry: RedisStreamEntry) => string
  /**
   * A stream to copy invalid entries to (fields plus `tessera-error`, `tessera-source-id`)
   * before acknowledging them; without it they are acknowledged and logged.
   */
  deadLetterStream?: string
  /** The wait before an entry whose run could not be started is read again (default 1 000 ms). */
  retryDelayMs?: number
  description?: string
}

/**
 * A consumer trigger that starts one run per entry of a Redis stream, through a consumer group:
 * XREADGROUP, then XACK only after `context.startRun` resolved. An entry whose start failed stays
 * pending and is read again; entries left pending by a consumer that died are claimed with
 * XAUTOCLAIM after `claimIdleMs`. The key defaults to the entry id, so a second delivery starts
 * no second run. Invalid entries go to `deadLetterStream` (when set) and are acknowledged.
 *
 * @example
 * ```ts
 * const trigger = redisStreamTrigger({
 *   id: 'signups',
 *   url: { $secret: 'REDIS_URL' },
 *   stream: 'events:signups',
 *   group: 'tessera',
 *   workflow: welcomeUser,
 *   deadLetterStream: 'events:signups:dead',
 * })
 * const engine = createEngine({ store, secrets, triggers: [trigger] })
 * ```
 */
export function redisStreamTrigger<W extends Workflow>(
  options: RedisStreamTriggerOptions<W>,
): TriggerV1 {
  const toInput = options.input ?? ((entry: RedisStreamEntry) => entry.data)
  const toKey = options.key ?? ((entry: RedisStreamEntry) => entry.id)
  return consumerTrigger(
    options,
    `Starts ${options.workflow.id} for each entry of Redis stream ${options.stream}`,
    async (context: TriggerContext): Promise<TriggerSubscription> => {
      const fail = (reason: ConnectorError['reason'], message: string, cause?: unknown) =>
        new ConnectorError({ connector: 'redis', action: 'trigger', reason, message, cause })
      if ((options.url === undefined) === (options.client === undefined))
        throw fail('invalid-config', 'give either "url" or "client"')
      const consumer = options.consumer ?? context.workerId
      let commands: Redis
      let owned = false
      if (options.client !== undefined) commands = options.client
      else {
        const { Redis: RedisClient } = await loadSdk(
          () => import('ioredis'),
          'ioredis',
          'Redis',
          'redis',
          'trigger',
        )
        const url = await resolveSetting(options.url!, context, 'redis', 'url')
        commands = new RedisClient(url, { lazyConnect: true, maxRetriesPerRequest: 3 })
        commands.on('error', () => undefined)
        owned = true
      }
      const reader = commands.duplicate()
      reader.on('error', () => undefined)
      try {
        if (owned) await commands.connect()
        await commands
          .xgroup('CREATE', options.stream, options.group, options.startId ?? '$', 'MKSTREAM')
          .catch((error: unknown) => {
            if (!/BUSYGROUP/.test(String((error as Error).message))) throw error
          })
      } catch (error) {
        reader.disconnect()
        if (owned) commands.disconnect()
        const message = error instanceof Error ? error.message : String(error)
        throw fail(
          /NOAUTH|WRONGPASS|NOPERM/.test(message) ? 'unauthorized' : 'network',
          `connecting to Redis for stream ${JSON.stringify(options.stream)}: ${message.replace(/redis(s)?:\/\/[^\s]*/g, 'redis://…')}`,
          error,
        )
      }

      const inFlight = createInFlight()
      let stopped = false
      // Read this consumer's own pending entries (left by a failed start or a previous process
      // with the same name) before new ones.
      let readOwnPending = true
      let lastClaimAt = 0
      const claimIdleMs = options.claimIdleMs ?? 60_000

      const toEntry = (id: string, raw: string[]): RedisStreamEntry => {
        const fields: Record<string, string> = {}
        for (let index = 0; index + 1 < raw.length; index += 2)
          fields[raw[index]!] = raw[index + 1]!
        return {
          stream: options.stream,
          id,
          fields,
          data: 'data' in fields ? decodeBody(fields['data']) : fields,
        }
      }

      async function handle(entry: RedisStreamEntry): Promise<void> {
        const outcome = await decideMessage(
          context,
          () => toInput(entry),
          () => toKey(entry),
        )
        try {
          if (outcome.kind === 'ack') {
            await commands.xack(options.stream, options.group, entry.id)
          } else if (outcome.kind === 'invalid') {
            context.logger.warn('Redis stream entry cannot start a run; acknowledged', {
              stream: options.stream,
              entryId: entry.id,
              error: describeError(outcome.error),
            })
            const transaction = commands.multi()
            if (options.deadLetterStream !== undefined)
              transaction.xadd(
                options.deadLetterStream,
                '*',
                ...Object.entries(entry.fields).flat(),
                'tessera-error',
                describeError(outcome.error).slice(0, 1_000),
                'tessera-source-id',
                entry.id,
              )
            transaction.xack(options.stream, options.group, entry.id)
            await transaction.exec()
          } else {
            context.logger.error('Starting a run failed; the entry stays pending', {
              stream: options.stream,
              entryId: entry.id,
              error: describeError(outcome.error),
            })
            readOwnPending = true
          }
        } catch (error) {
          context.logger.warn('Redis acknowledgement failed; the entry stays pending', {
            entryId: entry.id,
            error: describeError(error),
          })
          readOwnPending = true
        }
      }

      const sleep = (ms: number) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms)
          ;(timer as { unref?: () => void }).unref?.()
        })

      async function loop(): Promise<void> {
        let failures = 0
        while (!stopped) {
          try {
            let entries: [string, string[] | null][] = []
            const now = Date.now()
            if (now - lastClaimAt >= Math.min(claimIdleMs, 5_000)) {
              lastClaimAt = now
              const claimed = (await commands.xautoclaim(
                options.stream,
                options.group,
                consumer,
                claimIdleMs,
                '0-0',
                'COUNT',
                options.count ?? 10,
              )) as [string, [string, string[] | null][], string[]?]
              entries = claimed[1] ?? []
            }
            if (entries.length === 0 && readOwnPending) {
              readOwnPending = false
              const own = (await reader.xreadgroup(
                'GROUP',
                options.group,
                consumer,
                'COUNT',
                options.count ?? 10,
                'STREAMS',
                options.stream,
                '0',
              )) as [string, [string, string[] | null][]][] | null
              entries = own?.[0]?.[1] ?? []
              // More pending than one page: read them again next turn.
              if (entries.length === (options.count ?? 10)) readOwnPending = true
              if (entries.length > 0) await sleep(options.retryDelayMs ?? 1_000)
            }
            if (entries.length === 0 && !stopped) {
              const fresh = (await reader.xreadgroup(
                'GROUP',
                options.group,
                consumer,
                'COUNT',
                options.count ?? 10,
                'BLOCK',
                options.blockMs ?? 2_000,
                'STREAMS',
                options.stream,
                '>',
              )) as [string, [string, string[] | null][]][] | null
              entries = fresh?.[0]?.[1] ?? []
            }
            for (const [id, raw] of entries) {
              // A pending entry deleted from the stream (XDEL, trimming): nothing to start.
              if (raw === null) {
                await commands.xack(options.stream, options.group, id)
                continue
              }
              await inFlight.track(handle(toEntry(id, raw)))
            }
            failures = 0
          } catch (error) {
            if (stopped) return
            failures++
            context.logger.error('Reading the Redis stream failed; retrying', {
              stream: options.stream,
              error: describeError(error),
            })
            await sleep(Math.min(1_000 * 2 ** Math.min(failures, 5), 30_000))
          }
        }
      }

      const running = loop()
      return {
        async stop() {
          stopped = true
          // Ends a blocking read at once; entries read but not handled stay pending in Redis.
          reader.disconnect()
          await running
          await inFlight.idle()
          reader.disconnect()
          if (owned) await commands.quit().catch(() => commands.disconnect())
        },
      }
    },
  )
}
