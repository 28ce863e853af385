import { createHash } from 'node:crypto'
import { Redis, type Cluster, type RedisOptions } from 'ioredis'
import {
  checkPurgeRunsInput,
  decodeRunCursor,
  encodeRunCursor,
  eventMatchKey,
  InvalidArgumentError,
  NotFoundError,
  StoreError,
  TesseraError,
  type ClaimResult,
  type CommitInput,
  type CommitResult,
  type JoinOutcome,
  type ListRunsQuery,
  type ResolveWaitResult,
  type RunHistory,
  type RunPage,
  type RunStatus,
  type StoreV1,
  type TaskRecord,
} from '@tessera/core'
import {
  decodeResults,
  decodeRun,
  decodeScope,
  decodeStep,
  decodeTask,
  encodeRun,
  encodeScope,
  encodeTask,
  HashReader,
  provider,
  toHash,
  toJson,
} from './redis-records'
import { scriptBodies, scriptText, type ScriptName } from './redis-scripts'
import { createRedisThreads } from './redis-threads'
import { createRedisRecords } from './redis-keyed-records'

/**
 * Where the store keeps its data: a server it connects to, or a client the caller owns.
 *
 * @example
 * ```ts
 * const target: RedisStoreTarget = { url: 'redis://127.0.0.1:6379', options: { connectTimeout: 2000 } }
 * ```
 */
export type RedisStoreTarget =
  | {
      /** A `redis://` or `rediss://` URL. The store creates the client and quits it on `close()`. */
      url: string
      /** ioredis options for that client (timeouts, TLS, retry strategy…). */
      options?: RedisOptions
    }
  | {
      /**
       * A connected ioredis client. The caller owns it: `close()` leaves it open. A client
       * `keyPrefix` is honoured (it goes in front of the store's own). A `Cluster` client
       * requires a hash-tagged store key prefix such as `{tessera}:`.
       */
      client: Redis | Cluster
    }

/**
 * Options of {@link createRedisStore}.
 *
 * @example
 * ```ts
 * const options: RedisStoreOptions = { keyPrefix: '{tessera}:' } // one hash slot (Redis Cluster)
 * ```
 */
export interface RedisStoreOptions {
  /**
   * Prefix of every key the store writes. Default `tessera:`. Letters, digits and `_ . : -`,
   * with at most one hash tag (`{tessera}:`), which Redis Cluster requires.
   */
  keyPrefix?: string
}

/**
 * The key prefix used when none is given.
 *
 * @example
 * ```ts
 * await redis.scan('0', 'MATCH', `${defaultRedisKeyPrefix}*`) // the store's keys
 * ```
 */
export const defaultRedisKeyPrefix = 'tessera:'

/**
 * The layout version this code writes (in the `<prefix>meta` hash, field `schemaVersion`); a
 * store finding a newer one refuses to work and writes nothing.
 *
 * @example
 * ```ts
 * const stored = Number(await redis.hget('tessera:meta', 'schemaVersion'))
 * if (stored > redisSchemaVersion) console.warn('upgrade @tessera/connectors')
 * ```
 */
export const redisSchemaVersion = 1

const keyPrefixPattern = /^[\w.:-]*(?:\{[\w.:-]+\}[\w.:-]*)?$/

/** ioredis reply errors worth another try: the server is busy, loading, or failing over. */
const retryableReplies = /^(?:BUSY|LOADING|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY|NOREPLICAS)\b/

/** Largest createdAt a run may have (16 digits in the sorted-set member). */
const maxCreatedAt = Number.MAX_SAFE_INTEGER

/** How many times a call that lost a race (the inbox or the wait fields changed) is retried. */
const maxRounds = 20

/** Shared answer of a commit that has nothing to report (never mutated). */
const COMMITTED: CommitResult = Object.freeze({ status: 'committed' })

/** The inbox section of a script call when the caller has read nothing. */
const emptyInbox = ['0', '0', '0']

type Reply = unknown[]
/** What a script returns when the caller's view of the inbox was stale: per event name… */
type InboxSnapshot = [
  name: string,
  seq: string,
  events: [seq: string, id: string, payload: string, runId: string, expiresAt: string][],
][]

function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  if (error.name === 'ReplyError') return retryableReplies.test(error.message)
  if (error.name === 'MaxRetriesPerRequestError') return true
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true
  return /Connection is closed|Stream isn't writeable|Command timed out|connect/i.test(
    error.message,
  )
}

const member = (createdAt: number, id: string) => `${String(createdAt).padStart(16, '0')}:${id}`

const eventResolution = (eventId: string, payloadJson: string, now: number) =>
  `{"type":"event","eventId":${JSON.stringify(eventId)}${payloadJson === '' ? '' : `,"payload":${payloadJson}`},"at":${JSON.stringify(now)}}`

const isOpenEventWait = (task: TaskRecord) =>
  task.wait?.kind === 'event' && task.wait.resolution === undefined && task.parked !== true

/**
 * A durable, shared `StoreV1` on Redis through ioredis. Every mutation (createRun, claimTask,
 * commit, claimNext, deliverEvent, resolveWait, reopenRun, purgeRuns, renewTask, and the
 * thread writes) is one Lua script: atomic, and one round trip. It is also a task transport (`claimNext`): workers share
 * work by claiming from a sorted set of claimable tasks.
 *
 * Durability is the server's: with the default RDB snapshots a crash loses the last writes; use
 * `appendonly yes` (and `appendfsync everysec` or `always`) to keep them. Values (inputs,
 * outputs, errors, items, payloads, thread messages) are stored as JSON text: they must be
 * JSON-serialisable. Conversation threads (`capabilities.threads`) are a hash and a list per
 * thread, keyed records (`capabilities.records`) a hash per record and a sorted set of keys per
 * collection (paged with ZRANGEBYLEX), each write one script as well.
 *
 * @example
 * ```ts
 * import { createEngine } from '@tessera/core'
 * import { createRedisStore } from '@tessera/connectors/redis'
 *
 * const store = createRedisStore({ url: 'redis://127.0.0.1:6379' }, { keyPrefix: 'orders:' })
 * await store.ready?.() // optional: fail at start-up if Redis is unreachable
 * const engine = createEngine({ store })
 * ```
 */
export function createRedisStore(
  target: RedisStoreTarget,
  options: RedisStoreOptions = {},
): StoreV1 {
  const keyPrefix = options.keyPrefix ?? defaultRedisKeyPrefix
  if (
    typeof keyPrefix !== 'string' ||
    keyPrefix.length === 0 ||
    keyPrefix.length > 128 ||
    !keyPrefixPattern.test(keyPrefix)
  ) {
    throw new InvalidArgumentError({
      fn: 'createRedisStore',
      argument: 'keyPrefix',
      expected:
        '1 to 128 letters, digits and "_.:-", with at most one hash tag such as "{tessera}:"',
      received: options.keyPrefix,
    })
  }
  const isObject = typeof target === 'object' && target !== null
  const owned = isObject && 'url' in target
  if (owned) {
    if (typeof target.url !== 'string' || target.url.length === 0) {
      throw new InvalidArgumentError({
        fn: 'createRedisStore',
        argument: 'target',
        expected: '{ url: a redis:// URL } or { client: an ioredis client }',
        received: target,
      })
    }
    if (target.options !== undefined && (typeof target.options !== 'object' || !target.options)) {
      throw new InvalidArgumentError({
        fn: 'createRedisStore',
        argument: 'target.options',
        expected: 'ioredis options (an object)',
        received: target.options,
      })
    }
  } else if (!isObject || !isClient((target as { client?: unknown }).client)) {
    throw new InvalidArgumentError({
      fn: 'createRedisStore',
      argument: 'target',
      expected: '{ url: a redis:// URL } or { client: an ioredis client }',
      received: target,
    })
  }
  let client: Redis | Cluster
  if (owned) {
    const { url, options: clientOptions } = target as { url: string; options?: RedisOptions }
    try {
      client = clientOptions === undefined ? new Redis(url) : new Redis(url, clientOptions)
    } catch (error) {
      throw new StoreError(
        provider,
        `Could not create a Redis client: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      )
    }
    // Connection errors surface as rejected commands; without a listener ioredis would log them.
    client.on('error', () => {})
  } else {
    client = (target as { client: Redis | Cluster }).client
    if ((client as { isCluster?: boolean }).isCluster === true && !keyPrefix.includes('{')) {
      throw new InvalidArgumentError({
        fn: 'createRedisStore',
        argument: 'keyPrefix',
        expected: 'a hash-tagged prefix such as "{tessera}:" with a Cluster client',
        received: keyPrefix,
      })
    }
  }
  // ioredis puts a client's own keyPrefix in front of declared keys (KEYS[1] here); the scripts
  // build every other key from ARGV[1], so it carries both.
  const clientPrefix = (client.options as { keyPrefix?: unknown }).keyPrefix
  const prefix = (typeof clientPrefix === 'string' ? clientPrefix : '') + keyPrefix
  const metaKey = `${keyPrefix}meta`

  const scripts = new Map<ScriptName, { text: string; sha: string }>()
  for (const name of Object.keys(scriptBodies) as ScriptName[]) {
    const text = scriptText(name)
    scripts.set(name, { text, sha: createHash('sha1').update(text).digest('hex') })
  }

  let closed = false
  let schemaChecked = false
  let schemaCheck: Promise<void> | undefined
  /** Distinct match-field sets of the waits per event name, as last seen (a hint only). */
  const fieldSets = new Map<string, string[]>()

  /** Runs one script: EVALSHA, and EVAL once when the server does not have it cached. */
  async function call(name: ScriptName, args: string[]): Promise<unknown> {
    const script = scripts.get(name)!
    const tail = [metaKey, prefix].concat(args)
    try {
      return await client.call('EVALSHA', [script.sha, '1'].concat(tail))
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error
      return await client.call('EVAL', [script.text, '1'].concat(tail))
    }
  }

  function ensureSchema(): Promise<void> {
    schemaCheck ??= (async () => {
      const version = (await call('init', [String(redisSchemaVersion)])) as string
      const found = Number(version)
      if (!Number.isInteger(found) || found < 1) {
        throw new StoreError(
          provider,
          `Corrupt value in key "${prefix}meta", field "schemaVersion": "${version}" is not a schema version`,
        )
      }
      if (found > redisSchemaVersion) {
        throw new StoreError(
          provider,
          `The data under key prefix "${prefix}" has schema version ${found}, newer than this ` +
            `store knows (${redisSchemaVersion}): upgrade @tessera/connectors to use it`,
        )
      }
      // Load every script now, so that no first call pays the NOSCRIPT round trip. Best
      // effort: calls still fall back to EVAL (after a server restart, or on another node).
      await Promise.all(
        [...scripts.values()].map((script) =>
          Promise.resolve(client.call('SCRIPT', ['LOAD', script.text])).catch(() => undefined),
        ),
      )
      schemaChecked = true
    })().catch((error: unknown) => {
      schemaCheck = undefined
      throw error
    })
    return schemaCheck
  }

  /** Every operation: refused once closed, maps driver errors to StoreError. */
  async function guard<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    if (closed) throw new StoreError(provider, 'The store is closed')
    try {
      if (!schemaChecked) await ensureSchema()
      return await fn()
    } catch (error) {
      if (TesseraError.isInstance(error)) throw error
      throw new StoreError(
        provider,
        `Could not ${operation}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error, retryable: isRetryable(error) },
      )
    }
  }

  /**
   * Calls a script that may register event waits. It first assumes the inbox has nothing for
   * them; when it does (or changed since it was read), the script answers with the inbox events
   * of those names, this side computes which event each wait may take (match keys are computed
   * here), and calls again with that and the inbox sequence numbers it saw.
   */
  async function withInbox(
    tasks: TaskRecord[],
    now: number,
    attempt: (inbox: string[]) => Promise<unknown>,
  ): Promise<Reply> {
    let inbox = emptyInbox
    for (let round = 0; round < maxRounds; round++) {
      const reply = (await attempt(inbox)) as Reply
      if (reply[0] !== 'inbox') return reply
      inbox = inboxArgs(tasks, reply[1] as InboxSnapshot, now)
    }
    throw new StoreError(provider, `The event inbox kept changing during ${maxRounds} attempts`, {
      retryable: true,
    })
  }

  function inboxArgs(tasks: TaskRecord[], snapshot: InboxSnapshot, now: number): string[] {
    const names: string[] = [String(snapshot.length)]
    const byName = new Map<
      string,
      { seq: string; id: string; payload: unknown; raw: string; runId: string }[]
    >()
    for (const [name, seq, events] of snapshot) {
      names.push(name, seq)
      byName.set(
        name,
        events
          .filter(([, , , , expiresAt]) => Number(expiresAt) > now)
          .map(([eventSeq, id, raw, runId]) => ({
            seq: eventSeq,
            id,
            raw,
            runId,
            payload: new HashReader(`${prefix}event:${eventSeq}`, { payload: raw }).json('payload'),
          })),
      )
    }
    const resolutions = new Map<string, string>()
    const waits: string[] = []
    let waitCount = 0
    for (const task of tasks) {
      if (!isOpenEventWait(task)) continue
      const wait = task.wait!
      const fields = encodeTask(task)
      const [matchFields, matchKey] = [fields[12]!, fields[13]!]
      const candidates = (byName.get(wait.name ?? '') ?? []).filter(
        (event) =>
          (event.runId === '' || event.runId === task.runId) &&
          eventMatchKey(event.payload, matchFields) === matchKey,
      )
      if (candidates.length === 0) continue
      waitCount++
      waits.push(task.id, String(candidates.length))
      for (const event of candidates) {
        waits.push(event.seq)
        if (!resolutions.has(event.seq)) {
          resolutions.set(event.seq, eventResolution(event.id, event.raw, now))
        }
      }
    }
    const args = names.concat(String(resolutions.size))
    for (const [seq, resolution] of resolutions) args.push(seq, resolution)
    args.push(String(waitCount))
    return args.concat(waits)
  }

  function encodeTasks(tasks: TaskRecord[]): string[] {
    const args = [String(tasks.length)]
    for (const task of tasks) args.push(...encodeTask(task))
    return args
  }

  const runOf = (reply: unknown) => decodeRun(prefix, toHash(reply))
  const taskOf = (reply: unknown) => decodeTask(prefix, toHash(reply))

  return {
    specificationVersion: 'v1',
    // Connects and checks the schema version (every call does that first, once).
    ready: () => guard('connect and check the schema', async () => undefined),
    provider,
    capabilities: { durable: true, shared: true, transport: true, threads: true, records: true },
    ...createRedisThreads({ prefix, call, guard }),
    ...createRedisRecords({ prefix, call, guard }),

    createRun({ run, tasks, scopes }) {
      return guard('create a run', async () => {
        if (!Number.isSafeInteger(run.createdAt) || run.createdAt < 0) {
          throw new InvalidArgumentError({
            fn: 'createRun',
            argument: 'run.createdAt',
            expected: 'epoch milliseconds (a non-negative integer)',
            received: run.createdAt,
          })
        }
        const encoded = encodeRun(run)
        const args = [
          run.id,
          run.workflowId,
          run.idempotencyKey ?? '',
          member(run.createdAt, run.id),
          run.status,
          encoded.data,
          encoded.output,
          encoded.error,
          String(run.updatedAt),
          encoded.endedAt,
          String(run.createdAt),
          String(scopes.length),
        ]
        for (const scope of scopes) args.push(...encodeScope(scope))
        const head = args.concat(encodeTasks(tasks))
        const reply = await withInbox(tasks, run.createdAt, (inbox) =>
          call('createRun', head.concat(inbox)),
        )
        if (reply[0] === 'exists') return { run: runOf(reply[1]), created: false }
        const status = reply[1] as RunStatus
        const woken = reply[2] as string[]
        // The caller's record is returned as it is, unless the store changed its status (a run
        // whose first tasks are all waits starts suspended).
        const stored = status === run.status ? run : { ...run, status }
        return woken.length > 0
          ? { run: stored, created: true, woken }
          : { run: stored, created: true }
      })
    },

    getRun(runId) {
      return guard('read a run', async () => {
        const reply = (await call('getRun', [runId])) as string[]
        return reply.length === 0 ? undefined : runOf(reply)
      })
    },

    listRuns(query: ListRunsQuery = {}): Promise<RunPage> {
      return guard('list runs', async () => {
        const limit = query.limit ?? 50
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
          throw new InvalidArgumentError({
            fn: 'listRuns',
            argument: 'limit',
            expected: 'an integer from 1 to 1000',
            received: query.limit,
          })
        }
        for (const argument of ['createdAfter', 'createdBefore'] as const) {
          const value = query[argument]
          if (value !== undefined && (typeof value !== 'number' || Number.isNaN(value))) {
            throw new InvalidArgumentError({
              fn: 'listRuns',
              argument,
              expected: 'epoch milliseconds',
              received: value,
            })
          }
        }
        const after = query.cursor === undefined ? undefined : decodeRunCursor(query.cursor)
        if (after && (!Number.isSafeInteger(after.createdAt) || after.createdAt < 0)) {
          throw new InvalidArgumentError({
            fn: 'listRuns',
            argument: 'cursor',
            expected: 'a nextCursor returned by listRuns',
            received: query.cursor,
          })
        }
        const statuses =
          query.status === undefined
            ? undefined
            : [...new Set(Array.isArray(query.status) ? query.status : [query.status])]
        if (statuses && statuses.length === 0) return { runs: [] }
        // Lexicographic bounds on members `createdAt(16 digits):id`.
        let min = '-'
        let max = '+'
        if (query.createdAfter !== undefined) {
          const from = Math.ceil(query.createdAfter)
          if (from > maxCreatedAt) return { runs: [] }
          if (from > 0) min = `[${String(from).padStart(16, '0')}`
        }
        if (query.createdBefore !== undefined) {
          const until = Math.ceil(query.createdBefore)
          if (until <= 0) return { runs: [] }
          if (until <= maxCreatedAt) max = `(${String(until).padStart(16, '0')}`
        }
        if (after) {
          const bound = `(${member(after.createdAt, after.id)}`
          if (max === '+' || bound < max) max = bound
        }
        const workflowId = query.workflowId
        const indexes =
          statuses === undefined
            ? [workflowId === undefined ? 'runs' : `runs-wf:${workflowId}`]
            : statuses.map((status) =>
                workflowId === undefined
                  ? `runs-st:${status}`
                  : `runs-wfst:${status}:${workflowId}`,
              )
        const reply = (await call(
          'listRuns',
          [String(limit + 1), min, max, String(indexes.length)].concat(indexes),
        )) as unknown[]
        const runs = reply.slice(0, limit).map(runOf)
        const last = runs[runs.length - 1]
        return reply.length > limit && last ? { runs, nextCursor: encodeRunCursor(last) } : { runs }
      })
    },

    getRunHistory(runId): Promise<RunHistory | undefined> {
      return guard('read a run history', async () => {
        const reply = (await call('getRunHistory', [runId])) as unknown[]
        if (reply.length === 0) return undefined
        const [run, order, steps, scopes, tasks] = reply as [
          string[],
          string[],
          string[],
          [string, string[]][],
          string[][],
        ]
        const stepTexts = toHash(steps)
        return {
          run: runOf(run),
          steps: order.map((key) => {
            const text = stepTexts[key]
            if (text === undefined) {
              throw new HashReader(`${prefix}steps:${runId}`, {}).corrupt(key, 'missing')
            }
            return decodeStep(prefix, runId, key, text)
          }),
          scopes: scopes.map(([key, hash]) => decodeScope(prefix, runId, key, toHash(hash))),
          tasks: tasks.map(taskOf),
        }
      })
    },

    getScope(runId, key) {
      return guard('read a scope', async () => {
        const reply = (await call('getScope', [runId, key])) as string[]
        return reply.length === 0 ? undefined : decodeScope(prefix, runId, key, toHash(reply))
      })
    },

    claimTask({ taskId, owner, leaseMs, now }): Promise<ClaimResult> {
      return guard('claim a task', async () => {
        const reply = (await call('claimTask', [
          taskId,
          owner,
          String(now),
          String(now + leaseMs),
        ])) as Reply
        switch (reply[0]) {
          case 'missing':
            return { status: 'missing' }
          case 'not-ready':
            return { status: 'not-ready', availableAt: Number(reply[1]) }
          case 'leased':
            return { status: 'leased', leaseExpiresAt: Number(reply[1]) }
          default:
            return { status: 'claimed', task: taskOf(reply[1]) }
        }
      })
    },

    renewTask({ taskId, fence, leaseMs, now }) {
      return guard('renew a lease', async () => {
        const reply = await call('renewTask', [taskId, String(fence), String(now + leaseMs)])
        return reply === 1
      })
    },

    commit(input: CommitInput): Promise<CommitResult> {
      return guard('commit', async () => {
        const now = input.now ?? input.run?.updatedAt ?? Date.now()
        const { task, step, join, closeScope, run: patch } = input
        const retry = task ? input.retry : undefined
        const tasks = input.tasks ?? []
        const args = [
          input.runId,
          String(now),
          task ? '1' : '0',
          task?.id ?? '',
          String(task?.fence ?? 0),
          retry ? '1' : '0',
          retry ? String(retry.attempt) : '',
          retry ? String(retry.availableAt) : '',
          retry ? toJson(retry.error) : '',
          step ? '1' : '0',
          step?.key ?? '',
          step ? JSON.stringify(step) : '',
          step?.status === 'failed' ? '1' : '0',
          String(input.scopes?.length ?? 0),
        ]
        for (const scope of input.scopes ?? []) args.push(...encodeScope(scope))
        args.push(
          join ? '1' : '0',
          join?.scopeKey ?? '',
          join ? String(join.index) : '',
          join ? toJson(join.output) : '',
          closeScope !== undefined ? '1' : '0',
          closeScope ?? '',
        )
        args.push(...encodeTasks(tasks))
        args.push(
          patch ? '1' : '0',
          patch?.status ?? '',
          toJson(patch?.output),
          toJson(patch?.error),
          patch ? String(patch.updatedAt) : '',
          patch?.endedAt === undefined ? '' : String(patch.endedAt),
          tasks.some((added) => added.wait === undefined) ? '1' : '0',
        )
        const reply = await withInbox(tasks, now, (inbox) => call('commit', args.concat(inbox)))
        switch (reply[0]) {
          case 'not-found':
            throw new NotFoundError({ kind: 'run', id: input.runId })
          case 'run-ended':
            return { status: 'run-ended', run: runOf(reply[1]) }
          case 'stale':
            return { status: 'stale' }
          case 'duplicate':
            return { status: 'duplicate' }
          case 'error':
            throw new StoreError(provider, reply[1] as string)
        }
        const joined = reply[1] as string[] & { 4?: string[] }
        const woken = reply[2] as string[]
        if (joined.length === 0 && woken.length === 0) return COMMITTED
        const result: CommitResult = { status: 'committed' }
        if (joined.length > 0) {
          const outcome: JoinOutcome = {
            key: joined[0]!,
            expected: Number(joined[1]),
            completed: Number(joined[2]),
            closed: joined[3] === '1',
          }
          if (joined[4] !== undefined) {
            outcome.results = decodeResults(
              new HashReader(
                `${prefix}scope:${input.runId.length}:${input.runId}:${outcome.key}`,
                {},
              ),
              joined[4],
            )
          }
          result.join = outcome
        }
        if (woken.length > 0) result.woken = woken
        return result
      })
    },

    listStaleTasks({ now, olderThan, limit }) {
      return guard('list stale tasks', async () => {
        const reply = (await call('listStaleTasks', [
          String(now),
          String(now - olderThan),
          String(limit),
        ])) as unknown[]
        return reply.map(taskOf)
      })
    },

    claimNext({ owner, leaseMs, now, limit }) {
      return guard('claim tasks', async () => {
        if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
          throw new InvalidArgumentError({
            fn: 'claimNext',
            argument: 'limit',
            expected: 'an integer from 1 to 10000',
            received: limit,
          })
        }
        const reply = (await call('claimNext', [
          owner,
          String(now),
          String(now + leaseMs),
          String(limit),
        ])) as unknown[]
        return reply.map(taskOf)
      })
    },

    deliverEvent({ event, now }) {
      return guard('deliver an event', async () => {
        const payload = toJson(event.payload)
        const head = [
          event.name,
          event.id,
          payload,
          event.runId ?? '',
          String(event.receivedAt),
          String(event.expiresAt),
          String(now),
          eventResolution(event.id, payload, now),
        ]
        let known = fieldSets.get(event.name) ?? []
        for (let round = 0; round < maxRounds; round++) {
          const keys = new Set<string>()
          for (const fields of known) {
            let key: string | undefined
            try {
              key = eventMatchKey(event.payload, fields)
            } catch (error) {
              throw new StoreError(
                provider,
                `Corrupt value in key "${prefix}wait-fields:${event.name}", field "${fields}": not a JSON array of field names`,
                { cause: error },
              )
            }
            if (key !== undefined) keys.add(key)
          }
          const args = head.concat(String(known.length), known, String(keys.size), [...keys])
          const reply = (await call('deliverEvent', args)) as Reply
          if (reply[0] === 'retry') {
            known = reply[1] as string[]
            if (fieldSets.size >= 1000) fieldSets.clear()
            fieldSets.set(event.name, known)
            continue
          }
          if (reply[0] === 'delivered') return { delivered: (reply[1] as unknown[]).map(taskOf) }
          return { delivered: [] }
        }
        throw new StoreError(
          provider,
          `The waits for event "${event.name}" kept changing during ${maxRounds} attempts`,
          { retryable: true },
        )
      })
    },

    resolveWait({ runId, kind, name, key, resolution, now }): Promise<ResolveWaitResult> {
      return guard('resolve a wait', async () => {
        const reply = (await call('resolveWait', [
          runId,
          kind,
          name === undefined ? '0' : '1',
          name ?? '',
          key === undefined ? '0' : '1',
          key ?? '',
          JSON.stringify(resolution),
          String(now),
        ])) as Reply
        switch (reply[0]) {
          case 'not-found':
            throw new NotFoundError({ kind: 'run', id: runId })
          case 'run-ended':
            return { status: 'run-ended', run: runOf(reply[1]) }
          case 'not-waiting':
            return { status: 'not-waiting' }
          default:
            return { status: 'resolved', task: taskOf(reply[1]) }
        }
      })
    },

    reopenRun({ runId, tasks, now }) {
      return guard('reopen a run', async () => {
        const head = [runId, String(now)].concat(encodeTasks(tasks))
        const reply = await withInbox(tasks, now, (inbox) => call('reopenRun', head.concat(inbox)))
        switch (reply[0]) {
          case 'not-found':
            throw new NotFoundError({ kind: 'run', id: runId })
          case 'not-failed':
            return { status: 'not-failed' as const, run: runOf(reply[1]) }
          default:
            return { status: 'reopened' as const, run: runOf(reply[1]) }
        }
      })
    },

    purgeRuns(input) {
      return guard('purge runs', async () => {
        checkPurgeRunsInput(input)
        if (typeof input.now !== 'number' || Number.isNaN(input.now)) {
          throw new InvalidArgumentError({
            fn: 'purgeRuns',
            argument: 'now',
            expected: 'epoch milliseconds',
            received: input.now,
          })
        }
        const { endedBefore, keepLast, workflowId, limit, now } = input
        const [runs, events] = (await call('purgeRuns', [
          String(now),
          endedBefore === undefined ? '0' : '1',
          String(endedBefore ?? 0),
          keepLast === undefined ? '0' : '1',
          String(keepLast ?? 0),
          workflowId === undefined ? '0' : '1',
          workflowId ?? '',
          String(limit),
        ])) as [number, number]
        return { runs, events }
      })
    },

    async close() {
      if (closed) return
      closed = true
      if (owned) {
        try {
          await client.quit()
        } catch {
          client.disconnect()
        }
      }
    },
  }
}

function isClient(value: unknown): value is Redis | Cluster {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Redis).call === 'function' &&
    typeof (value as Redis).evalsha === 'function' &&
    typeof (value as Redis).options === 'object'
  )
}
