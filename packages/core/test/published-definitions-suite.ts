// Published definitions across processes: engines that share one store, each with its own
// connection, as a `tessera serve --no-worker`, a `tessera worker` and server replicas would. The
// suite runs in core on the memory store (one store object and one in-process queue shared by the
// engines) and in @tessera/connectors on a SQLite file and PostgreSQL (a connection per engine,
// the store as the transport).
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  NonRetryableError,
  createEngine,
  createStep,
  createWorkflow,
  definePlugin,
  type Engine,
  type EngineOptions,
  type LogFields,
  type Logger,
  type QueueV1,
  type StoreV1,
} from '../src/index'
import {
  createDefinitionRepository,
  createHttpHandler,
  registerPublishedDefinitions,
  type HttpHandler,
} from '../src/http/index'
import { createManualClock } from '../src/testing/index'

/** One store that several engines share. */
export interface SharedStore {
  /** What one more engine (one more process) gets: a store connection, and a queue if needed. */
  connect(): { store: StoreV1; queue?: QueueV1 }
  close(): Promise<void>
}

const amount = z.object({ n: z.number() })
const flaky = { fail: false }
const double = createStep({
  id: 'pd-double',
  input: amount,
  output: amount,
  run: ({ input }) => ({ n: input.n * 2 }),
})
const check = createStep({
  id: 'pd-check',
  input: amount,
  output: amount,
  retry: { attempts: 1 },
  run: ({ input }) => {
    if (flaky.fail) throw new NonRetryableError('pd-check failed on purpose')
    return { n: input.n + 1 }
  },
})
/** Every step the definitions use. */
const steps = definePlugin({ name: 'pd-steps', steps: [double, check] })
/** Only `pd-double`: a process that cannot run `orders`. */
const someSteps = definePlugin({ name: 'pd-some-steps', steps: [double] })

/** The stored definitions, as the designer would send them (what the builder exports). */
const definitionOf = (
  workflow: { definition: unknown },
  changes: Record<string, unknown> = {},
): Record<string, unknown> => ({
  ...(structuredClone(workflow.definition) as Record<string, unknown>),
  ...changes,
})
const ordersBuilt = createWorkflow({ id: 'orders', input: amount })
  .then(double)
  .then(check)
  .commit()
const orders = definitionOf(ordersBuilt)
const ordersV2 = definitionOf(ordersBuilt, { description: 'second version' })
const invoices = definitionOf(
  createWorkflow({ id: 'invoices', input: amount }).then(double).commit(),
)
const review = definitionOf(
  createWorkflow({ id: 'review', input: amount })
    .approval({ id: 'manager', schema: z.object({ limit: z.number() }) })
    .commit(),
)
/** Doubles, then adds with an inline function that each build registers (`pd/add`). */
const priced = definitionOf(createWorkflow({ id: 'priced', input: amount }).then(double).commit())
;(priced.root as { children: unknown[] }).children.push({
  type: 'code',
  id: 'add',
  function: 'pd/add',
})
/** Two builds of the same function: the same definition compiles to two versions. */
const buildOne = definePlugin({
  name: 'pd-build-one',
  steps: [double, check],
  functions: { 'pd/add': ({ input }: { input: { n: number } }) => ({ n: input.n + 1 }) },
})
const buildTwo = definePlugin({
  name: 'pd-build-two',
  steps: [double, check],
  functions: { 'pd/add': ({ input }: { input: { n: number } }) => ({ n: input.n + 100 }) },
})
/** `orders` as a replica has it in code: another version of the same id. */
const ordersInCode = createWorkflow({ id: 'orders', input: amount }).then(double).commit()
/** A version that no stored definition provides. */
const ghost = createWorkflow({ id: 'ghost', input: amount }).then(double).commit()

function recordingLogger(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = []
  const logger = {
    lines,
    debug: (message: string, _fields?: LogFields) => void lines.push({ level: 'debug', message }),
    info: (message: string, _fields?: LogFields) => void lines.push({ level: 'info', message }),
    warn: (message: string, _fields?: LogFields) => void lines.push({ level: 'warn', message }),
    error: (message: string, _fields?: LogFields) => void lines.push({ level: 'error', message }),
    child: () => logger,
  }
  return logger
}

/** The store with every call counted, by method and, for records, by collection. */
function countingStore(store: StoreV1): StoreV1 & { calls: Map<string, number>; reads(): number } {
  const calls = new Map<string, number>()
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown
      if (property === 'calls') return calls
      if (property === 'reads')
        return () => (calls.get('getRecord') ?? 0) + (calls.get('listRecords') ?? 0)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        const name = String(property)
        calls.set(name, (calls.get(name) ?? 0) + 1)
        const collection = (args[0] as { collection?: unknown } | undefined)?.collection
        if (typeof collection === 'string')
          calls.set(`${name}:${collection}`, (calls.get(`${name}:${collection}`) ?? 0) + 1)
        return (value as (...args: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return proxy as StoreV1 & { calls: Map<string, number>; reads(): number }
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 10_000) {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await read()
    if (done(value)) return value
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${JSON.stringify(value)}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export function describePublishedDefinitions(name: string, setup: () => Promise<SharedStore>) {
  describe(`published definitions across processes (${name})`, { timeout: 30_000 }, () => {
    let shared: SharedStore
    let engines: Engine[]
    beforeEach(async () => {
      shared = await setup()
      engines = []
      flaky.fail = false
    })
    afterEach(async () => {
      for (const engine of engines.reverse()) await engine.close()
      await shared.close()
    })

    /** One more process on the shared store. */
    const engine = (
      options: EngineOptions & { counting?: boolean } = {},
    ): Engine & { counted?: ReturnType<typeof countingStore> } => {
      const { counting, ...rest } = options
      const connection = shared.connect()
      const store = counting ? countingStore(connection.store) : connection.store
      const created = createEngine({
        poll: '20ms',
        ...connection,
        store,
        ...rest,
      })
      engines.push(created)
      return Object.assign(
        created,
        counting ? { counted: store as ReturnType<typeof countingStore> } : {},
      )
    }
    /** The serving process: no worker, the HTTP API. */
    const server = (options: EngineOptions = {}) => {
      const served = engine({ worker: false, plugins: [steps], ...options })
      const handler = createHttpHandler(served, { auth: 'none-insecure' })
      const call = async (method: string, path: string, body?: unknown) => {
        const response = await handler(
          new Request(`http://tessera.test${path}`, {
            method,
            ...(body !== undefined
              ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
              : {}),
          }),
        )
        return { status: response.status, body: (await response.json()) as any }
      }
      return { engine: served, handler: handler as HttpHandler, call }
    }
    type Server = ReturnType<typeof server>
    const publish = async (api: Server, definition: Record<string, unknown>) => {
      const id = definition.id as string
      const existing = await api.call('GET', `/definitions/${id}`)
      const written =
        existing.status === 404
          ? await api.call('POST', '/definitions', { definition })
          : await api.call('PUT', `/definitions/${id}`, { definition })
      expect(written.status, JSON.stringify(written.body)).toBeLessThan(300)
      const published = await api.call('POST', `/definitions/${id}/publish`, {
        version: written.body.version.version,
      })
      expect(published.status, JSON.stringify(published.body)).toBe(200)
      return published.body.definition.publishedWorkflowVersion as string
    }
    const startRun = async (api: Server, workflowId: string, n = 1) => {
      const started = await api.call('POST', '/runs', { workflowId, input: { n } })
      expect(started.status, JSON.stringify(started.body)).toBe(201)
      return started.body.run.id as string
    }
    const runOf = (store: StoreV1, runId: string) => store.getRun(runId).then((run) => run!)
    const settled = (store: StoreV1, runId: string, status: string) =>
      until(
        () => runOf(store, runId),
        (run) => run.status === status,
      )

    it('a worker that never registered a published definition runs its runs to the end', async () => {
      const api = server()
      const hash = await publish(api, orders)
      // The engine's version, not the hash of the stored JSON.
      expect(hash).toBe(ordersBuilt.version)
      const runId = await startRun(api, 'orders', 2)
      expect((await runOf(api.engine.store, runId)).workflowVersion).toBe(hash)

      const logger = recordingLogger()
      const worker = engine({ plugins: [steps], logger, counting: true })
      const run = await settled(api.engine.store, runId, 'succeeded')
      expect(run.output).toEqual({ n: 5 })
      expect(worker.registry.workflowVersion('orders', hash)).toBeDefined()
      // A version found for a task is not what the worker starts by id.
      expect(worker.registry.workflows.has('orders')).toBe(false)
      expect(logger.lines).toContainEqual({
        level: 'info',
        message: `Registered workflow "orders" version ${hash} from its stored definition`,
      })

      // Known now: the next run of that version costs no record read at all.
      worker.counted!.calls.clear()
      const second = await startRun(api, 'orders', 3)
      expect((await settled(api.engine.store, second, 'succeeded')).output).toEqual({ n: 7 })
      expect(worker.counted!.reads()).toBe(0)
    })

    it('concurrent tasks of one version share one lookup', async () => {
      const api = server()
      await publish(api, orders)
      const runIds = await Promise.all([1, 2, 3, 4, 5].map((n) => startRun(api, 'orders', n)))
      const worker = engine({ plugins: [steps], counting: true })
      for (const runId of runIds) await settled(api.engine.store, runId, 'succeeded')
      expect(worker.counted!.calls.get('getRecord:definition-workflow-versions')).toBe(1)
    })

    it('another process retries a failed run of a published version', async () => {
      const api = server()
      await publish(api, orders)
      flaky.fail = true
      engine({ plugins: [steps] })
      const runId = await startRun(api, 'orders', 2)
      await settled(api.engine.store, runId, 'failed')
      flaky.fail = false

      // Without stored definitions, a process that never registered the version cannot.
      const blind = engine({ worker: false, plugins: [steps], storedDefinitions: false })
      await expect(blind.retry(runId)).rejects.toThrow(/register it first/)
      const other = engine({ worker: false, plugins: [steps] })
      await other.retry(runId)
      expect((await settled(api.engine.store, runId, 'succeeded')).output).toEqual({ n: 5 })
    })

    it("another process checks an approval's data with the stored definition's schema", async () => {
      const api = server()
      await publish(api, review)
      const runId = await startRun(api, 'review', 1)
      await settled(api.engine.store, runId, 'suspended')
      const other = engine({ worker: false, plugins: [steps] })
      await expect(other.approve(runId, 'manager', { limit: 'high' })).rejects.toMatchObject({
        code: 'validation_failed',
      })
      await other.approve(runId, 'manager', { limit: 10 })
      engine({ plugins: [steps] })
      await settled(api.engine.store, runId, 'succeeded')
    })

    it('a replica starts a workflow id on its published version, within its cache window', async () => {
      const api = server()
      const clock = createManualClock(Date.now())
      const replica = server({ clock, workflows: [ordersInCode] })
      const versionOf = async (api: Server, workflowId: string) =>
        (await runOf(api.engine.store, await startRun(api, workflowId))).workflowVersion

      // Nothing published: the version it has in code.
      expect(await versionOf(replica, 'orders')).toBe(ordersInCode.version)
      const first = await publish(api, orders)
      // The publishing process starts it at once.
      expect(await versionOf(api, 'orders')).toBe(first)
      // The replica within its cache window (1s): what it read last; then the published one.
      expect(await versionOf(replica, 'orders')).toBe(ordersInCode.version)
      clock.advance(1001)
      expect(await versionOf(replica, 'orders')).toBe(first)

      const second = await publish(api, ordersV2)
      expect(second).not.toBe(first)
      expect(await versionOf(api, 'orders')).toBe(second)
      expect(await versionOf(replica, 'orders')).toBe(first)
      clock.advance(1001)
      expect(await versionOf(replica, 'orders')).toBe(second)

      // A workflow the replica has no code for at all: published elsewhere, started here.
      expect(
        (await replica.call('POST', '/runs', { workflowId: 'invoices', input: { n: 1 } })).status,
      ).toBe(404)
      const invoicesVersion = await publish(api, invoices)
      clock.advance(1001)
      expect(await versionOf(replica, 'invoices')).toBe(invoicesVersion)
      // Nor stored: 404 as ever.
      expect(
        (await replica.call('POST', '/runs', { workflowId: 'nowhere', input: { n: 1 } })).status,
      ).toBe(404)

      // Within the window, a start by id reads no record.
      const counted = engine({ worker: false, plugins: [steps], clock, counting: true })
      await counted.start('orders', { n: 1 })
      const reads = counted.counted!.reads()
      expect(reads).toBeGreaterThan(0)
      for (let index = 0; index < 20; index++) await counted.start('orders', { n: index })
      expect(counted.counted!.reads()).toBe(reads)
      clock.advance(1001)
      await counted.start('orders', { n: 1 })
      expect(counted.counted!.reads()).toBe(reads + 1)
    })

    it('a replica that cannot compile the published version refuses to start it (422)', async () => {
      const api = server()
      await publish(api, orders)
      const logger = recordingLogger()
      const replica = server({ plugins: [someSteps], logger })
      const refused = await replica.call('POST', '/runs', { workflowId: 'orders', input: { n: 1 } })
      expect(refused.status).toBe(422)
      expect(refused.body.detail).toContain('unknown step "pd-check"')
      expect(logger.lines).toContainEqual({
        level: 'warn',
        message: expect.stringContaining(
          'The published version 1 of workflow "orders" does not compile in this process, which cannot start it',
        ),
      })
    })

    it("other function code: a replica starts its own version of the published definition, a worker refuses the other build's runs", async () => {
      const api = server({ plugins: [buildOne] })
      const published = await publish(api, priced)
      const logger = recordingLogger()
      const other = server({ plugins: [buildTwo], logger })
      const otherRun = await startRun(other, 'priced', 1)
      const otherVersion = (await runOf(other.engine.store, otherRun)).workflowVersion
      expect(otherVersion).not.toBe(published)
      expect(logger.lines).toContainEqual({
        level: 'warn',
        message: `The published version 1 of workflow "priced" compiles to workflow version ${otherVersion} in this process, not ${published} as where it was published (other function code): runs started here are pinned to ${otherVersion}`,
      })
      const publishedRun = await startRun(api, 'priced', 1)
      // A worker of the second build runs its own build's run, and refuses the first's.
      const workerLogger = recordingLogger()
      const second = engine({ plugins: [buildTwo], logger: workerLogger, lease: '60ms' })
      expect((await settled(api.engine.store, otherRun, 'succeeded')).output).toEqual({ n: 102 })
      await until(
        async () => workerLogger.lines,
        (lines) =>
          lines.some((line) => line.message.startsWith('Refused stored definition "priced"')),
      )
      expect((await runOf(api.engine.store, publishedRun)).status).toBe('running')
      // A worker of the first build runs it.
      await second.close()
      engine({ plugins: [buildOne] })
      expect((await settled(api.engine.store, publishedRun, 'succeeded')).output).toEqual({ n: 3 })
    })

    it('a version no stored definition provides: the task is left, the store is not read again within missCache', async () => {
      const starter = engine({ worker: false, plugins: [steps], workflows: [ghost] })
      // A stored definition of that id exists, at another version: the lookup compiles it once.
      await createDefinitionRepository(starter.store, Date.now).create({
        ...definitionOf(ghost),
        description: 'another version',
      })
      const run = await starter.start(ghost, { n: 1 })
      const logger = recordingLogger()
      const worker = engine({ plugins: [steps], logger, counting: true, lease: '60ms' })
      const claims = () =>
        logger.lines.filter((line) =>
          line.message.startsWith('A task refers to a workflow version'),
        ).length
      await until(
        async () => claims(),
        (count) => count >= 4,
      )
      const reads = worker.counted!.reads()
      expect(reads).toBeGreaterThan(0)
      expect(reads).toBeLessThanOrEqual(2)
      await until(
        async () => claims(),
        (count) => count >= 7,
      )
      expect(worker.counted!.reads()).toBe(reads)
      const stored = await runOf(starter.store, run.id)
      expect(stored.status).toBe('running')
      expect((await starter.store.getRunHistory(run.id))!.steps).toEqual([])

      // Without the cache of misses, every claim reads the store again.
      await worker.close()
      const eager = engine({
        plugins: [steps],
        counting: true,
        lease: '60ms',
        logger: recordingLogger(),
        storedDefinitions: { missCache: 0 },
      })
      await until(
        async () => eager.counted!.reads(),
        (count) => count >= 3 * reads,
      )
    })

    it('a stored definition recorded under a hash it does not compile to is refused', async () => {
      const starter = engine({ worker: false, plugins: [steps], workflows: [ordersInCode] })
      const definitions = createDefinitionRepository(starter.store, Date.now)
      await definitions.create(orders)
      // Forged: version 1 of `orders` recorded as the version the code-only workflow has.
      await definitions.indexWorkflowVersion('orders', 1, ordersInCode.version)
      const run = await starter.start(ordersInCode, { n: 1 })
      const logger = recordingLogger()
      const worker = engine({ plugins: [steps], logger, lease: '60ms' })
      await until(
        async () => logger.lines,
        (lines) => lines.some((line) => line.message.startsWith('Refused stored definition')),
      )
      expect(logger.lines).toContainEqual({
        level: 'warn',
        message: `Refused stored definition "orders" version 1: it is recorded as workflow version ${ordersInCode.version} but compiles to ${ordersBuilt.version} in this process (other function code, or a record changed by hand)`,
      })
      await sleep(150)
      expect((await runOf(starter.store, run.id)).status).toBe('running')
      expect(worker.registry.workflowVersion('orders', ordersInCode.version)).toBeUndefined()
    })

    it('a definition needing a step this worker lacks is left, with a warning, for one that has it', async () => {
      const api = server()
      const hash = await publish(api, orders)
      const runId = await startRun(api, 'orders', 2)
      const logger = recordingLogger()
      const lacking = engine({ plugins: [someSteps], logger, lease: '60ms' })
      await until(
        async () => logger.lines,
        (lines) =>
          lines.some(
            (line) => line.level === 'warn' && line.message.startsWith('Stored definition'),
          ),
      )
      const warning = logger.lines.find((line) => line.message.startsWith('Stored definition'))!
      expect(warning.message).toContain(
        `Stored definition "orders" version 1 (workflow version ${hash}) does not compile in this process`,
      )
      expect(warning.message).toContain('unknown step "pd-check"')
      expect((await runOf(api.engine.store, runId)).status).toBe('running')
      expect(lacking.registry.workflowVersion('orders', hash)).toBeUndefined()
      // The lacking worker did not crash; it closes as ever (it would keep taking the task back
      // at each lease's end), and one that has the step runs it.
      await lacking.close()
      engine({ plugins: [steps] })
      expect((await settled(api.engine.store, runId, 'succeeded')).output).toEqual({ n: 5 })
    })

    it('a definition published before hashes were recorded is found by compiling the stored versions', async () => {
      const api = server()
      const definitions = createDefinitionRepository(api.engine.store, Date.now)
      await definitions.create(orders)
      await definitions.markPublished('orders', 1) // as before: no workflow version recorded
      expect(await definitions.findWorkflowVersion('orders', ordersBuilt.version)).toBeUndefined()
      const runId = await startRun(api, 'orders', 2)
      expect((await runOf(api.engine.store, runId)).workflowVersion).toBe(ordersBuilt.version)
      engine({ plugins: [steps] })
      expect((await settled(api.engine.store, runId, 'succeeded')).output).toEqual({ n: 5 })
      // Recorded now, for the next process.
      expect(await definitions.findWorkflowVersion('orders', ordersBuilt.version)).toMatchObject({
        version: 1,
      })
    })

    it('registerPublishedDefinitions registers what compiles and reports what does not', async () => {
      const api = server()
      await publish(api, orders)
      await publish(api, invoices)
      const other = engine({ worker: false, plugins: [someSteps] })
      const registered: unknown[] = []
      const failed: unknown[] = []
      expect(
        await registerPublishedDefinitions(other, {
          onRegistered: (entry) => registered.push(entry),
          onError: (error, entry) => failed.push({ ...entry, error: (error as Error).message }),
        }),
      ).toEqual(['invoices'])
      expect(registered).toEqual([
        { workflowId: 'invoices', version: 1, workflowVersion: expect.any(String) },
      ])
      expect(failed).toEqual([
        {
          workflowId: 'orders',
          version: 1,
          error: expect.stringContaining('unknown step "pd-check"'),
        },
      ])
      await expect(registerPublishedDefinitions(other)).rejects.toThrow(/unknown step "pd-check"/)
    })
  })
}
