import pg from 'pg'
import {
  checkPurgeRunsInput,
  decodeRunCursor,
  encodeRunCursor,
  InvalidArgumentError,
  NotFoundError,
  StoreError,
  TesseraError,
  type ClaimResult,
  type CommitInput,
  type CommitResult,
  type ListRunsQuery,
  type ResolveWaitResult,
  type RunHistory,
  type RunPage,
  type RunRecord,
  type RunStatus,
  type StoreV1,
  type TaskRecord,
} from '@tessera/core'
import {
  checkSchema,
  checkTablePrefix,
  defaultPostgresSchema,
  defaultPostgresTablePrefix,
  postgresMigrations,
  postgresNames,
  postgresSchemaVersion,
  type PostgresNames,
} from './postgres-migrations'
import { toRun, toScope, toStep, toTask } from './postgres-rows'
import { createPostgresThreads } from './postgres-threads'
import { createPostgresRecords } from './postgres-keyed-records'

/** Where the store keeps its data: a database it connects to, or a pool the caller owns. */
export type PostgresStoreTarget =
  | {
      /** A libpq connection string: `postgres://user:password@host:5432/database`. */
      connectionString: string
    }
  | {
      /**
       * A `pg.Pool` the caller owns: `close()` leaves it open. Give it an `'error'` listener, as
       * every pool needs one (an idle connection the server drops emits an error on the pool).
       */
      pool: pg.Pool
    }

/** Options of {@link createPostgresStore}. */
export interface PostgresStoreOptions {
  /** The schema of the store's tables and functions. Default `public`; created if missing. */
  schema?: string
  /** Prefix of every table, index and function name. Default `tessera_`. */
  tablePrefix?: string
  /**
   * Create or update the tables and functions (idempotently, in one transaction under an
   * advisory lock) when the store is created. Default true; turn it off when the schema is
   * applied with your own tool from {@link postgresMigrations}.
   */
  migrate?: boolean
  /** With `connectionString`: the size of the pool the store creates. Default 10. */
  poolSize?: number
  /**
   * Group commit: how many commit statements may run at once (and, apart, how many run
   * creations). A commit that comes while that many are running waits, and the commits that
   * waited go together, as one statement and one transaction (each keeps its own answer), when
   * one of them ends; run creations likewise. Under load this trades many small transactions
   * (each waiting for its own WAL flush) for fewer larger ones; a lone commit goes at once, as
   * before. Default 2; `Infinity` sends every commit alone. Each statement, alone or a group,
   * takes one connection of the pool while it runs.
   */
  commitConcurrency?: number
}

/**
 * A `StoreV1` on PostgreSQL; it is a store transport and keeps threads and records, so
 * `claimNext`, the thread methods and the records methods are always there.
 */
export interface PostgresStore extends StoreV1 {
  /**
   * Resolves once the store is connected and its schema checked (and migrated, with
   * `migrate`); rejects with the reason (a newer schema, a bad address, …). The store starts
   * this when it is created and every call waits for it: await it to fail fast at start-up.
   */
  ready(): Promise<void>
  claimNext(input: {
    owner: string
    leaseMs: number
    now: number
    limit: number
  }): Promise<TaskRecord[]>
  appendThreadMessages: NonNullable<StoreV1['appendThreadMessages']>
  getThread: NonNullable<StoreV1['getThread']>
  summarizeThread: NonNullable<StoreV1['summarizeThread']>
  deleteThread: NonNullable<StoreV1['deleteThread']>
  putRecord: NonNullable<StoreV1['putRecord']>
  getRecord: NonNullable<StoreV1['getRecord']>
  listRecords: NonNullable<StoreV1['listRecords']>
  deleteRecord: NonNullable<StoreV1['deleteRecord']>
}

const provider = 'postgres'

type Json = Record<string, unknown>

/** Shared answers (never mutated). */
const COMMITTED: CommitResult = Object.freeze({ status: 'committed' })
const STALE: CommitResult = Object.freeze({ status: 'stale' })
const DUPLICATE: CommitResult = Object.freeze({ status: 'duplicate' })

/** SQLSTATEs worth another try: serialization failure, deadlock, lock timeout, shutdown. */
const retryableStates = new Set(['40001', '40P01', '55P03', '57P01', '57P02', '57P03', '53300'])
/** Socket errors and pg's own connection messages. */
const retryableErrnos = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
])
const connectionMessages =
  /Connection terminated|connection error|timeout exceeded when trying to connect|Client was closed|not queryable/i

/**
 * Whether a `pg` error may go away when the operation is tried again: serialization failures,
 * deadlocks, lock timeouts, server shutdowns, connection errors. The store's `StoreError`s carry
 * the answer as `retryable`; this is for queries of your own on the same database.
 *
 * @example
 * ```ts
 * import { isRetryablePostgresError } from '@tessera/connectors/postgres'
 *
 * try {
 *   await pool.query('UPDATE accounts SET balance = balance - 1 WHERE id = $1', [id])
 * } catch (error) {
 *   if (isRetryablePostgresError(error)) scheduleRetry()
 *   else throw error
 * }
 * ```
 */
export function isRetryablePostgresError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string') {
    if (code.startsWith('08') || retryableStates.has(code) || retryableErrnos.has(code)) {
      return true
    }
  }
  return error instanceof Error && connectionMessages.test(error.message)
}

const statementTag = (text: string): string => {
  // FNV-1a: names the prepared statements of one schema and prefix (pg caches them per
  // connection; a caller's pool may serve several stores).
  let hash = 0x811c9dc5
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0).toString(36)
}

/**
 * The store's results are JSONB (oid 3802), parsed as JSON whatever type parsers the caller set
 * on `pg.types` for their own queries.
 */
const jsonTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 3802 && format !== 'binary'
      ? (text: string) => JSON.parse(text) as unknown
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
}

/** Epoch-millisecond and duration parameters: BIGINT columns hold whole milliseconds. */
const ms = (value: number): number => Math.round(value)

/**
 * A durable `StoreV1` on PostgreSQL through node-postgres (`pg`), shared by any number of
 * processes. Every commit and every claim is one round trip: a call of a PL/pgSQL function the
 * migrations create, with the whole change as one JSONB parameter, through a named (prepared)
 * statement. Row locks keep fences, insert-once steps and joins exact under READ COMMITTED;
 * `claimNext` hands tasks out with `FOR UPDATE SKIP LOCKED`, so workers can share work through
 * the database alone (`capabilities.transport`).
 *
 * The store connects and applies its migrations (unless `migrate: false`) as soon as it is
 * created; every call waits for that, and `await store.ready()` fails fast at start-up. Values
 * (inputs, outputs, errors, payloads, thread messages) are stored as JSONB: they must be
 * JSON-serialisable, as for every durable store; object keys come back in JSONB's order. It
 * keeps conversation threads (`capabilities.threads`) in the `threads` and `messages` tables,
 * and keyed records (`capabilities.records`) in the `records` table (values as JSON text, keys
 * `COLLATE "C"`).
 *
 * @example
 * ```ts
 * import { createEngine } from '@tessera/core'
 * import { createPostgresStore } from '@tessera/connectors/postgres'
 *
 * const store = createPostgresStore(
 *   { connectionString: process.env.DATABASE_URL! },
 *   { schema: 'workflows' },
 * )
 * await store.ready() // optional: fail here, not on the first run, if the database is unusable
 * const engine = createEngine({ store })
 * ```
 */
export function createPostgresStore(
  target: PostgresStoreTarget,
  options: PostgresStoreOptions = {},
): PostgresStore {
  const fn = 'createPostgresStore'
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError({
      fn,
      argument: 'options',
      expected: 'an object',
      received: options,
    })
  }
  const schema = checkSchema(fn, options.schema ?? defaultPostgresSchema)
  const prefix = checkTablePrefix(fn, options.tablePrefix ?? defaultPostgresTablePrefix)
  const migrate = options.migrate ?? true
  if (typeof migrate !== 'boolean') {
    throw new InvalidArgumentError({
      fn,
      argument: 'migrate',
      expected: 'a boolean',
      received: migrate,
    })
  }
  const owned =
    target !== null &&
    typeof target === 'object' &&
    typeof (target as { connectionString?: unknown }).connectionString === 'string' &&
    (target as { connectionString: string }).connectionString !== ''
  if (!owned && !isPool((target as { pool?: unknown } | null)?.pool)) {
    throw new InvalidArgumentError({
      fn,
      argument: 'target',
      expected: '{ connectionString: a non-empty string } or { pool: a pg.Pool }',
      received: target,
    })
  }
  const poolSize = options.poolSize
  if (poolSize !== undefined) {
    if (!owned) {
      throw new InvalidArgumentError({
        fn,
        argument: 'poolSize',
        expected: 'absent with a pool of your own (size that pool instead)',
        received: poolSize,
      })
    }
    if (!Number.isInteger(poolSize) || poolSize < 1) {
      throw new InvalidArgumentError({
        fn,
        argument: 'poolSize',
        expected: 'a positive integer',
        received: poolSize,
      })
    }
  }

  const pool = owned
    ? new pg.Pool({
        connectionString: (target as { connectionString: string }).connectionString,
        max: poolSize ?? 10,
        application_name: 'tessera',
      })
    : (target as { pool: pg.Pool }).pool
  // An idle connection that fails emits 'error' on its pool, which throws without a listener.
  // The next query reports the problem as a (retryable) StoreError.
  if (owned) pool.on('error', () => {})

  const commitConcurrency = options.commitConcurrency ?? 2
  if (
    commitConcurrency !== Infinity &&
    (!Number.isInteger(commitConcurrency) || commitConcurrency < 1)
  ) {
    throw new InvalidArgumentError({
      fn,
      argument: 'commitConcurrency',
      expected: 'a positive integer or Infinity',
      received: options.commitConcurrency,
    })
  }

  const n = postgresNames(schema, prefix)
  const prepared = prepareSchema(pool, n, migrate).catch(async (error: unknown) => {
    if (owned) await pool.end().catch(() => {})
    throw toStoreError('open the store', error)
  })
  // Reported by ready() and by every call; never an unhandled rejection.
  prepared.catch(() => {})
  return postgresStore(pool, n, owned, prepared, commitConcurrency)
}

/** What the meta table says: the schema version and the hash of the migrations last applied. */
async function readMeta(
  client: pg.PoolClient,
  n: PostgresNames,
): Promise<{ version: number; applied: string | undefined } | undefined> {
  // Text answers only: a caller's pool may parse other types its own way.
  const found = await client.query<{ present: string }>(
    `SELECT CASE WHEN to_regclass($1) IS NULL THEN 'no' ELSE 'yes' END AS present`,
    [n.meta],
  )
  if (found.rows[0]?.present !== 'yes') return undefined
  const rows = await client.query<{ key: string; value: string }>(
    `SELECT key, value::text AS value FROM ${n.meta}
     WHERE key IN ('schema_version', 'migrations_hash')`,
  )
  const value = (key: string) => rows.rows.find((row) => row.key === key)?.value
  return { version: Number(value('schema_version') ?? 0), applied: value('migrations_hash') }
}

function checkVersion(n: PostgresNames, meta: { version: number } | undefined): void {
  if (meta !== undefined && meta.version > postgresSchemaVersion) {
    throw new StoreError(
      provider,
      `The tables of schema "${n.schema}" with prefix "${n.prefix}" are at schema version ` +
        `${meta.version}, newer than this version of @tessera/connectors knows ` +
        `(${postgresSchemaVersion}): upgrade the package; nothing was changed`,
    )
  }
}

/**
 * Checks the schema version and, with `migrate`, applies the migrations in one transaction under
 * an advisory lock. A schema already at these exact migrations (their hash is in the meta table)
 * is left alone without taking the lock: many workers starting at once do not queue.
 */
async function prepareSchema(pool: pg.Pool, n: PostgresNames, migrate: boolean): Promise<void> {
  const client = await pool.connect()
  let failure: unknown
  try {
    const statements = postgresMigrations({ schema: n.schema, tablePrefix: n.prefix })
    const hash = String(Number.parseInt(statementTag(statements.join(';\n')), 36))
    const meta = await readMeta(client, n)
    checkVersion(n, meta)
    if (!migrate) {
      if (meta === undefined) {
        throw new StoreError(
          provider,
          `The tables of schema "${n.schema}" with prefix "${n.prefix}" do not exist: apply ` +
            'postgresMigrations() with your migration tool, or pass migrate: true',
        )
      }
      if (meta.version < postgresSchemaVersion) {
        throw new StoreError(
          provider,
          `The tables of schema "${n.schema}" with prefix "${n.prefix}" are at schema version ` +
            `${meta.version}, older than the version ${postgresSchemaVersion} this code needs: ` +
            `apply postgresMigrations({ from: ${meta.version} }) with your migration tool, or ` +
            'pass migrate: true',
        )
      }
      return
    }
    if (meta?.version === postgresSchemaVersion && meta.applied === hash) return
    await client.query('BEGIN')
    // One migrator per schema at a time: concurrent CREATE … IF NOT EXISTS and CREATE OR
    // REPLACE FUNCTION race in the catalog otherwise. Read again under the lock.
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `tessera:migrate:${n.schema}`,
    ])
    const current = await readMeta(client, n)
    checkVersion(n, current)
    if (current?.version !== postgresSchemaVersion || current.applied !== hash) {
      await client.query(statements.join(';\n'))
      await client.query(
        `INSERT INTO ${n.meta} (key, value) VALUES ('migrations_hash', $1::bigint)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        [hash],
      )
    }
    await client.query('COMMIT')
  } catch (error) {
    failure = error
    await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    // A connection that failed is not handed back to the pool.
    client.release(failure !== undefined && !TesseraError.isInstance(failure))
  }
}

/** A write (a commit, a run creation) waiting for a free slot of its kind (group commit). */
interface QueuedWrite {
  runId: string
  /** Its element of a group's JSONB array. */
  element: string
  /** Its parameters when it is sent alone. */
  values: unknown[]
  resolve: (out: Json) => void
  reject: (error: unknown) => void
}

/** Most writes in one group statement. */
const maxCommitGroup = 64

function postgresStore(
  pool: pg.Pool,
  n: PostgresNames,
  owned: boolean,
  prepared: Promise<void>,
  commitConcurrency: number,
): PostgresStore {
  const tag = statementTag(`${n.schema}.${n.prefix}`)
  const f = n.of
  let closed = false

  interface Statement {
    name: string
    text: string
  }
  const statement = (op: string, text: string): Statement => ({
    name: `tessera_${tag}_${op}`,
    text,
  })
  const sql = {
    createRun: statement('create_run', `SELECT ${f('create_run')}($1::jsonb) AS r`),
    createRunGroup: statement(
      'create_run_group',
      `SELECT x.o::integer AS o, ${f('create_run')}(x.e) AS r
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x (e, o)`,
    ),
    getRun: statement('get_run', `SELECT ${f('run_json')}(t) AS r FROM ${n.runs} t WHERE id = $1`),
    history: statement(
      'history',
      `SELECT jsonb_build_object(
        'run', (SELECT ${f('run_json')}(t) FROM ${n.runs} t WHERE t.id = $1),
        'steps', (SELECT jsonb_agg(${f('step_json')}(t) ORDER BY t.seq) FROM ${n.steps} t
          WHERE t.run_id = $1),
        'scopes', (SELECT jsonb_agg(${f('scope_json')}(t) ORDER BY t.seq) FROM ${n.scopes} t
          WHERE t.run_id = $1),
        'tasks', (SELECT jsonb_agg(${f('task_json')}(t) ORDER BY t.seq) FROM ${n.tasks} t
          WHERE t.run_id = $1)) AS r`,
    ),
    getScope: statement(
      'get_scope',
      `SELECT ${f('scope_json')}(t) AS r FROM ${n.scopes} t WHERE run_id = $1 AND key = $2`,
    ),
    claim: statement('claim', `SELECT ${f('claim')}($1, $2, $3::bigint, $4::bigint) AS r`),
    claimNext: statement(
      'claim_next',
      `SELECT ${f('claim_next')}($1, $2::bigint, $3::bigint, $4::integer) AS r`,
    ),
    renew: statement(
      'renew',
      `UPDATE ${n.tasks} SET lease_expires_at = $3 WHERE id = $1 AND fence = $2`,
    ),
    commit: statement('commit', `SELECT ${f('commit')}($1::jsonb, $2::bigint) AS r`),
    // Group commit: one call of the commit function per element `[input, now]`, in order, in
    // one transaction; `o` is the element's position (1-based).
    commitGroup: statement(
      'commit_group',
      `SELECT x.o::integer AS o, ${f('commit')}(x.e -> 0, (x.e ->> 1)::bigint) AS r
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x (e, o)`,
    ),
    stale: statement(
      'stale',
      `(SELECT ${f('task_json')}(t) AS r FROM ${n.tasks} t
        WHERE lease_owner IS NULL AND NOT parked AND available_at <= $1 LIMIT $3)
       UNION ALL
       (SELECT ${f('task_json')}(t) AS r FROM ${n.tasks} t
        WHERE lease_owner IS NOT NULL AND NOT parked
          AND (lease_expires_at <= $2 OR lease_expires_at IS NULL) LIMIT $3)
       LIMIT $3`,
    ),
    deliver: statement('deliver', `SELECT ${f('deliver_event')}($1::jsonb, $2::bigint) AS r`),
    resolve: statement('resolve', `SELECT ${f('resolve_wait')}($1::jsonb) AS r`),
    reopen: statement('reopen', `SELECT ${f('reopen_run')}($1::jsonb) AS r`),
    purge: statement('purge', `SELECT ${f('purge_runs')}($1::jsonb) AS r`),
  }
  /** listRuns statements by filter shape (a handful at most). */
  const listStatements = new Map<string, Statement>()

  const checkOpen = () => {
    if (closed) throw new StoreError(provider, 'The store is closed')
  }

  /** Runs one statement (one round trip) and answers the `r` column of its first row. */
  async function one(operation: string, st: Statement, values: unknown[]): Promise<unknown> {
    checkOpen()
    await prepared
    try {
      const result = await pool.query({ name: st.name, text: st.text, values, types: jsonTypes })
      return (result.rows[0] as { r?: unknown } | undefined)?.r
    } catch (error) {
      throw toStoreError(operation, error)
    }
  }

  async function rows(operation: string, st: Statement, values: unknown[]): Promise<unknown[]> {
    checkOpen()
    await prepared
    try {
      const result = await pool.query({ name: st.name, text: st.text, values, types: jsonTypes })
      return result.rows.map((row: { r: unknown }) => row.r)
    } catch (error) {
      throw toStoreError(operation, error)
    }
  }

  /** JSON text of an input: a value JSON cannot hold (a BigInt, a cycle) is a StoreError. */
  const json = (operation: string, value: unknown): string => {
    try {
      return JSON.stringify(value)
    } catch (error) {
      throw toStoreError(operation, error)
    }
  }

  const runEnded = (out: Json) => ({ status: 'run-ended' as const, run: toRun(out.run, n.runs) })

  // ── group commit ──
  // Per kind of write (commits, run creations): at most `commitConcurrency` statements run at
  // once; writes that come meanwhile queue, and each statement that ends sends its kind's queue
  // (up to maxCommitGroup) as one group statement.
  const writesDrained: (() => void)[] = []
  const writeQueues: WriteQueue[] = []

  interface WriteQueue {
    running: number
    queue: QueuedWrite[]
    push(write: QueuedWrite): void
  }

  const drained = () => writeQueues.every((kind) => kind.running === 0 && kind.queue.length === 0)

  /** A queue of one kind of write: `single` alone, `group` for several (`$1`: a JSONB array). */
  const writeQueue = (operation: string, single: Statement, group: Statement): WriteQueue => {
    // Not `one()`: a write accepted before close() is still sent.
    const sendOne = async (write: QueuedWrite): Promise<void> => {
      try {
        const result = await pool.query({
          name: single.name,
          text: single.text,
          values: write.values,
          types: jsonTypes,
        })
        write.resolve((result.rows[0] as { r: Json }).r)
      } catch (error) {
        write.reject(toStoreError(operation, error))
      }
    }
    const sendGroup = async (writes: QueuedWrite[]): Promise<void> => {
      // Runs in one order (their row locks are taken in it): two groups cannot deadlock on them.
      writes.sort((a, b) => (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0))
      let answers: Json[] | undefined
      try {
        const result = await pool.query({
          name: group.name,
          text: group.text,
          values: [`[${writes.map((write) => write.element).join(',')}]`],
          types: jsonTypes,
        })
        answers = []
        for (const row of result.rows as { o: unknown; r: Json }[]) {
          answers[Number(row.o) - 1] = row.r
        }
      } catch {
        // One write's error rolls the whole group back (nothing was written): each write is
        // then sent alone, and gets its own answer or error.
        answers = undefined
      }
      if (answers === undefined || answers.length !== writes.length) {
        await Promise.all(writes.map(sendOne))
        return
      }
      writes.forEach((write, index) => write.resolve(answers[index]!))
    }
    const kind: WriteQueue = {
      running: 0,
      queue: [],
      push(write) {
        kind.queue.push(write)
        flush()
      },
    }
    const flush = (): void => {
      while (kind.queue.length > 0 && kind.running < commitConcurrency) {
        const writes =
          kind.queue.length <= maxCommitGroup ? kind.queue : kind.queue.slice(0, maxCommitGroup)
        kind.queue = kind.queue.length <= maxCommitGroup ? [] : kind.queue.slice(maxCommitGroup)
        kind.running++
        void (writes.length === 1 ? sendOne(writes[0]!) : sendGroup(writes)).finally(() => {
          kind.running--
          flush()
        })
      }
      if (drained()) for (const resolve of writesDrained.splice(0)) resolve()
    }
    writeQueues.push(kind)
    return kind
  }

  const commits = writeQueue('commit', sql.commit, sql.commitGroup)
  const creations = writeQueue('create a run', sql.createRun, sql.createRunGroup)

  /** The answer of one write through its queue, once the store is prepared. */
  const write = async (
    kind: WriteQueue,
    runId: string,
    values: unknown[],
    element: string,
  ): Promise<Json> => {
    checkOpen()
    await prepared
    return new Promise<Json>((resolve, reject) => {
      kind.push({ runId, element, values, resolve, reject })
    })
  }

  /** One commit's answer from the commit function, alone or in a group. */
  const commitOut = (input: CommitInput): Promise<Json> => {
    const now = ms(input.now ?? input.run?.updatedAt ?? Date.now())
    const text = json('commit', input)
    return write(commits, input.runId, [text, now], `[${text},${now}]`)
  }

  const listStatement = (
    query: ListRunsQuery,
    statuses: RunStatus[] | undefined,
    cursor: boolean,
  ): Statement => {
    const where: string[] = []
    let parameter = 0
    if (query.workflowId !== undefined) where.push(`workflow_id = $${++parameter}`)
    if (statuses) where.push(`status = ANY ($${++parameter}::text[])`)
    if (query.createdAfter !== undefined) where.push(`created_at >= $${++parameter}::bigint`)
    if (query.createdBefore !== undefined) where.push(`created_at < $${++parameter}::bigint`)
    if (cursor) {
      where.push(`(created_at, id) < ($${++parameter}::bigint, $${++parameter})`)
    }
    const text = `SELECT ${f('run_json')}(t) AS r FROM ${n.runs} t${
      where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''
    } ORDER BY created_at DESC, id DESC LIMIT $${parameter + 1}`
    const shape = statementTag(text)
    let found = listStatements.get(shape)
    if (!found) listStatements.set(shape, (found = statement(`list_${shape}`, text)))
    return found
  }

  return {
    specificationVersion: 'v1',
    ready: () => prepared,
    provider,
    capabilities: { durable: true, shared: true, transport: true, threads: true, records: true },
    ...createPostgresThreads({ n, statement, one }),
    ...createPostgresRecords({ n, statement, one, rows }),

    async createRun({ run, tasks, scopes }) {
      const text = json('create a run', { run, tasks, scopes })
      const out = await write(creations, run.id, [text], text)
      if (out.created !== true) return { run: toRun(out.run, n.runs), created: false }
      // The caller's record is returned as it is, unless the store changed it: a run whose
      // first tasks are all waits starts suspended.
      const stored: RunRecord =
        out.status === run.status ? run : { ...run, status: out.status as RunStatus }
      const woken = out.woken as string[] | undefined
      return woken ? { run: stored, created: true, woken } : { run: stored, created: true }
    },

    async getRun(runId) {
      const row = await one('read a run', sql.getRun, [runId])
      return row === undefined ? undefined : toRun(row, n.runs)
    },

    async listRuns(query: ListRunsQuery = {}): Promise<RunPage> {
      checkOpen()
      const limit = query.limit ?? 50
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
        throw new InvalidArgumentError({
          fn: 'listRuns',
          argument: 'limit',
          expected: 'an integer from 1 to 1000',
          received: query.limit,
        })
      }
      const after = query.cursor === undefined ? undefined : decodeRunCursor(query.cursor)
      const statuses =
        query.status === undefined
          ? undefined
          : [...new Set(Array.isArray(query.status) ? query.status : [query.status])]
      if (statuses && statuses.length === 0) return { runs: [] }
      const values: unknown[] = []
      if (query.workflowId !== undefined) values.push(query.workflowId)
      if (statuses) values.push(statuses)
      if (query.createdAfter !== undefined) values.push(ms(query.createdAfter))
      if (query.createdBefore !== undefined) values.push(ms(query.createdBefore))
      if (after) values.push(ms(after.createdAt), after.id)
      values.push(limit + 1)
      const found = await rows(
        'list runs',
        listStatement(query, statuses, after !== undefined),
        values,
      )
      const runs = found.slice(0, limit).map((row) => toRun(row, n.runs))
      const last = runs[runs.length - 1]
      return found.length > limit && last ? { runs, nextCursor: encodeRunCursor(last) } : { runs }
    },

    async getRunHistory(runId): Promise<RunHistory | undefined> {
      const out = (await one('read a run history', sql.history, [runId])) as Json
      if (out.run === null) return undefined
      return {
        run: toRun(out.run, n.runs),
        steps: ((out.steps as unknown[] | null) ?? []).map((row) => toStep(row, n.steps)),
        scopes: ((out.scopes as unknown[] | null) ?? []).map((row) => toScope(row, n.scopes)),
        tasks: ((out.tasks as unknown[] | null) ?? []).map((row) => toTask(row, n.tasks)),
      }
    },

    async getScope(runId, key) {
      const row = await one('read a scope', sql.getScope, [runId, key])
      return row === undefined ? undefined : toScope(row, n.scopes)
    },

    async claimTask({ taskId, owner, leaseMs, now }): Promise<ClaimResult> {
      const out = (await one('claim a task', sql.claim, [
        taskId,
        owner,
        ms(leaseMs),
        ms(now),
      ])) as Json
      if (out.status === 'claimed') return { status: 'claimed', task: toTask(out.task, n.tasks) }
      return out as ClaimResult
    },

    async renewTask({ taskId, fence, leaseMs, now }) {
      checkOpen()
      await prepared
      try {
        const result = await pool.query({
          name: sql.renew.name,
          text: sql.renew.text,
          values: [taskId, fence, ms(now + leaseMs)],
        })
        return result.rowCount === 1
      } catch (error) {
        throw toStoreError('renew a lease', error)
      }
    },

    async commit(input: CommitInput): Promise<CommitResult> {
      const out = await commitOut(input)
      switch (out.status) {
        case 'committed':
          return out.join !== undefined || out.woken !== undefined
            ? (out as CommitResult)
            : COMMITTED
        case 'stale':
          return STALE
        case 'duplicate':
          return DUPLICATE
        case 'run-ended':
          return runEnded(out)
        case 'not-found':
          throw new NotFoundError({ kind: 'run', id: input.runId })
        default:
          throw new StoreError(
            provider,
            `Run "${input.runId}" has no scope "${input.join?.scopeKey}" to join`,
          )
      }
    },

    async listStaleTasks({ now, olderThan, limit }) {
      const found = await rows('list stale tasks', sql.stale, [ms(now - olderThan), ms(now), limit])
      return found.map((row) => toTask(row, n.tasks))
    },

    async claimNext({ owner, leaseMs, now, limit }) {
      if (!Number.isInteger(limit) || limit < 0) {
        throw new InvalidArgumentError({
          fn: 'claimNext',
          argument: 'limit',
          expected: 'a non-negative integer',
          received: limit,
        })
      }
      if (limit === 0) return []
      const out = (await one('claim tasks', sql.claimNext, [
        owner,
        ms(leaseMs),
        ms(now),
        limit,
      ])) as unknown[]
      return out.map((row) => toTask(row, n.tasks))
    },

    async deliverEvent({ event, now }) {
      const operation = 'deliver an event'
      const out = (await one(operation, sql.deliver, [
        json(operation, event),
        ms(now),
      ])) as unknown[]
      return { delivered: out.map((row) => toTask(row, n.tasks)) }
    },

    async resolveWait(input): Promise<ResolveWaitResult> {
      const operation = 'resolve a wait'
      const out = (await one(operation, sql.resolve, [json(operation, input)])) as Json
      switch (out.status) {
        case 'resolved':
          return { status: 'resolved', task: toTask(out.task, n.tasks) }
        case 'run-ended':
          return runEnded(out)
        case 'not-found':
          throw new NotFoundError({ kind: 'run', id: input.runId })
        default:
          return { status: 'not-waiting' }
      }
    },

    async reopenRun(input) {
      const operation = 'reopen a run'
      const out = (await one(operation, sql.reopen, [json(operation, input)])) as Json
      if (out.status === 'not-found') throw new NotFoundError({ kind: 'run', id: input.runId })
      const run = toRun(out.run, n.runs)
      return out.status === 'reopened' ? { status: 'reopened', run } : { status: 'not-failed', run }
    },

    async purgeRuns(input) {
      checkOpen()
      checkPurgeRunsInput(input)
      const operation = 'purge runs'
      const out = (await one(operation, sql.purge, [json(operation, input)])) as {
        runs: number
        events: number
      }
      return { runs: out.runs, events: out.events }
    },

    async close() {
      if (closed) return
      closed = true
      // Commits and run creations already accepted are answered before the pool ends.
      if (!drained()) await new Promise<void>((resolve) => writesDrained.push(resolve))
      // A store that could not be prepared has ended its own pool already.
      const unusable = await prepared.then(
        () => false,
        () => true,
      )
      if (owned && !unusable) {
        try {
          await pool.end()
        } catch (error) {
          throw toStoreError('close the pool', error)
        }
      }
    },
  }
}

/** Wraps a driver error in a StoreError (TesseraErrors pass through). */
function toStoreError(operation: string, error: unknown): TesseraError {
  if (TesseraError.isInstance(error)) return error
  const message = error instanceof Error ? error.message : String(error)
  const code = (error as { code?: unknown } | null)?.code
  return new StoreError(
    provider,
    `Could not ${operation}: ${message}${typeof code === 'string' ? ` (${code})` : ''}`,
    { cause: error, retryable: isRetryablePostgresError(error) },
  )
}

function isPool(value: unknown): value is pg.Pool {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as pg.Pool).query === 'function' &&
    typeof (value as pg.Pool).connect === 'function'
  )
}
