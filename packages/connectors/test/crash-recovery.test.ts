// Crash recovery, proven: several worker processes (crash-worker.ts) share runs through one
// database while this process SIGKILLs them at random, mid-step, and starts replacements. Every
// run must still succeed with the right output, with each step recorded exactly once (steps
// themselves may run more than once: the ledger counts those re-executions).
import { spawn, type ChildProcess } from 'node:child_process'
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { tsImport } from 'tsx/esm/api'
import type { Engine, RunHandle, RunHistory, StoreV1 } from '@tessera/core'
import type * as CrashSupport from './crash-support'
import type { CrashTarget, Ledger, LedgerEntry } from './crash-support'
import { requireService, uniqueName } from './services'

const here = dirname(fileURLToPath(import.meta.url))
const workerFile = join(here, 'crash-worker.ts')
// Maps @tessera/* to their sources for the workers (see crash-worker.ts).
const workerTsconfig = join(here, 'tsconfig.crash.json')
// This process loads the workflows (and the engine, the stores) through tsx too, exactly as the
// workers do: a workflow's version hashes the source text of its inline functions (`.map`, a
// wait's `match`), and tsx prints them differently from Vitest's transform, so workflows loaded
// by Vitest would get other versions than the workers', which would then refuse the runs.
const support: typeof CrashSupport = await tsImport('./crash-support.ts', {
  parentURL: import.meta.url,
  tsconfig: workerTsconfig,
})
const { chainLength, linkOf, postOf, preOf, targetEnv } = support
// `node --import tsx` rather than the tsx CLI: the CLI runs the script in a child process of its
// own, which a SIGKILL of the CLI would leave running.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href

const workerCount = 3
/** Worker processes kept warm (loaded, connected) to replace a killed one at once. */
const spares = 1
const kills = 12
const chainRuns = 40
/** The fail-safe: past it the test fails with a diagnosis instead of hanging (never a timing). */
const failSafeMs = 120_000
let deadline = 0
/** What happened so far (kills, spawns, phases), shown when the fail-safe trips. */
const journal: string[] = []
let journalStart = 0
const note = (what: string) => journal.push(`${Date.now() - journalStart} ms: ${what}`)

const postgresUrl = 'postgres://postgres@127.0.0.1:5432/test'
const mysqlUrl = 'mysql://root@127.0.0.1:3306/test'
const redisUrl = 'redis://127.0.0.1:6379'

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** A small seeded generator, so that a failing schedule can be told apart (the seed is logged). */
function random(seed: number) {
  let state = seed >>> 0 || 1
  return () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 0x1_0000_0000
  }
}

// ── worker processes ──────────────────────────────────────────────────────────────────────────

interface WorkerProcess {
  id: string
  child: ChildProcess
  /** Loaded and connected, waiting for `go` (a spare). */
  warm: boolean
  /** Told to go (an active worker, or about to be). */
  started: boolean
  /** Its engine runs. */
  ready: boolean
  /** Steps executing, as the worker last reported. */
  inFlight: number
  exited: Promise<void>
  alive: boolean
  /** Killed by the test (SIGKILL). */
  killed: boolean
  /** The last lines it wrote to stderr (shown when a test fails). */
  log: string[]
}

function spawnWorker(target: CrashTarget, id: string, onEarlyExit: (w: WorkerProcess) => void) {
  const child = spawn(process.execPath, ['--import', tsxLoader, workerFile], {
    env: {
      ...process.env,
      ...targetEnv(target),
      CRASH_WORKER_ID: id,
      TSX_TSCONFIG_PATH: workerTsconfig,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  const worker: WorkerProcess = {
    id,
    child,
    warm: false,
    started: false,
    ready: false,
    inFlight: 0,
    alive: true,
    killed: false,
    log: [],
    exited: new Promise<void>((resolve) => child.once('exit', () => resolve())),
  }
  // CRASH_LOG_DIR=<dir> keeps every worker's whole output there (for debugging).
  const logFile = process.env.CRASH_LOG_DIR ? join(process.env.CRASH_LOG_DIR, `${id}.log`) : ''
  const keep = (chunk: Buffer) => {
    if (logFile) appendFileSync(logFile, chunk)
    worker.log.push(...chunk.toString().split('\n').filter(Boolean))
    worker.log.splice(0, Math.max(0, worker.log.length - 40))
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  child.on('message', (message: { type?: string; inFlight?: number }) => {
    if (message?.type === 'warm') worker.warm = true
    if (message?.type === 'ready') {
      worker.ready = true
      note(`${id} ready`)
    }
    if (message?.type === 'busy') worker.inFlight = message.inFlight ?? 0
  })
  child.once('exit', (code, signal) => {
    worker.alive = false
    if (signal !== 'SIGKILL') {
      worker.log.push(`exited with code ${code} (signal ${signal})`)
      onEarlyExit(worker)
    }
  })
  return worker
}

// ── the scenario ──────────────────────────────────────────────────────────────────────────────

interface Started {
  handle: RunHandle<unknown>
  workflow: 'crash-chain' | 'crash-nap' | 'crash-event' | 'crash-approval'
  v0: number
  key: string
}

/** Waits for `condition`; past the fail-safe it throws `what` (never a timed assertion). */
async function until(
  condition: () => boolean | Promise<boolean>,
  what: () => string | Promise<string>,
) {
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`Fail-safe deadline passed: ${await what()}\n${journal.join('\n')}`)
    }
    await pause(25)
  }
}

const tracked = (workflow: Started['workflow']): string[] =>
  workflow === 'crash-chain'
    ? Array.from({ length: chainLength }, (_, i) => `link-${i + 1}`)
    : ['pre', 'post']

const recordedKeys = (workflow: Started['workflow']): string[] => {
  switch (workflow) {
    case 'crash-chain':
      return tracked(workflow)
    case 'crash-nap':
      return ['pre', 'sleep', 'post']
    case 'crash-event':
      return ['pre', 'crash.go', 'post']
    case 'crash-approval':
      return ['pre', 'crash-ok', 'post']
  }
}

/** What a run's history must be; returns the differences found (empty when right). */
function checkRun(run: Started, history: RunHistory | undefined): string[] {
  const problems: string[] = []
  const where = `${run.workflow} ${run.handle.id}`
  if (!history) return [`${where}: no history`]
  const { key, v0 } = run
  let expected: number
  if (run.workflow === 'crash-chain') {
    expected = v0
    for (let i = 1; i <= chainLength; i++) expected = linkOf(expected, i)
  } else if (run.workflow === 'crash-nap') expected = postOf(preOf(v0))
  else if (run.workflow === 'crash-event') expected = postOf(v0 + 7)
  else expected = postOf(v0 + 11)
  if (history.run.status !== 'succeeded') {
    problems.push(`${where}: status ${history.run.status} (${history.run.error?.message ?? ''})`)
  }
  const output = history.run.output as { key?: unknown; v?: unknown } | undefined
  if (output?.key !== key || output?.v !== expected) {
    problems.push(`${where}: output ${JSON.stringify(history.run.output)}, expected v ${expected}`)
  }
  const keys = history.steps.map((step) => step.key).sort()
  const wanted = [...recordedKeys(run.workflow)].sort()
  if (JSON.stringify(keys) !== JSON.stringify(wanted)) {
    problems.push(`${where}: step records ${JSON.stringify(keys)}, expected ${wanted}`)
  }
  const step = (stepKey: string) => history.steps.find((record) => record.key === stepKey)
  const valueOf = (stepKey: string) => (step(stepKey)?.output as { v?: number } | undefined)?.v
  for (const record of history.steps) {
    if (record.status !== 'succeeded') problems.push(`${where}: ${record.key} is ${record.status}`)
    const recordKey = (record.output as { key?: unknown } | undefined)?.key
    if (tracked(run.workflow).includes(record.key) && recordKey !== key) {
      problems.push(`${where}: ${record.key} output is for ${String(recordKey)}`)
    }
  }
  // The chain of values: each recorded output follows from the one before it.
  if (run.workflow === 'crash-chain') {
    let v = v0
    for (let i = 1; i <= chainLength; i++) {
      v = linkOf(v, i)
      if (valueOf(`link-${i}`) !== v) {
        problems.push(`${where}: link-${i} output ${valueOf(`link-${i}`)}, expected ${v}`)
        break
      }
    }
  } else {
    if (valueOf('pre') !== preOf(v0)) problems.push(`${where}: pre output ${valueOf('pre')}`)
    const payload =
      run.workflow === 'crash-event'
        ? (step('crash.go')?.output as { add?: number } | undefined)?.add
        : run.workflow === 'crash-approval'
          ? (step('crash-ok')?.output as { data?: { v?: number } } | undefined)?.data?.v
          : preOf(v0)
    const resumedWith =
      run.workflow === 'crash-event'
        ? v0 + 7
        : run.workflow === 'crash-approval'
          ? v0 + 11
          : preOf(v0)
    if (run.workflow !== 'crash-nap' && payload !== resumedWith) {
      problems.push(`${where}: the wait's output ${payload}, expected ${resumedWith}`)
    }
    if (run.workflow === 'crash-nap' && valueOf('sleep') !== preOf(v0)) {
      problems.push(`${where}: sleep output ${valueOf('sleep')}`)
    }
    if (valueOf('post') !== expected) problems.push(`${where}: post output ${valueOf('post')}`)
  }
  if (history.tasks.length > 0) {
    problems.push(
      `${where}: ${history.tasks.length} task(s) left: ${JSON.stringify(history.tasks)}`,
    )
  }
  return problems
}

interface Target {
  name: string
  up: boolean
  /** Creates the namespace's target (a file, a schema, a prefix). */
  make(): CrashTarget
  /** Drops everything the test created. */
  cleanup(target: CrashTarget): Promise<void>
}

async function probePostgres() {
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 2000 })
  await client.connect()
  await client.end()
}

async function probeRedis() {
  const { Redis } = await import('ioredis')
  const client = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  try {
    await client.connect()
    await client.ping()
  } finally {
    client.disconnect()
  }
}

async function probeMysql() {
  const mysql = await import('mysql2/promise')
  const connection = await mysql.createConnection({ uri: mysqlUrl, connectTimeout: 2000 })
  await connection.end()
}

const targets: Target[] = [
  {
    name: 'sqlite',
    up: true,
    make: () => {
      const dir = mkdtempSync(join(tmpdir(), 'tessera-crash-'))
      return { kind: 'sqlite', address: join(dir, 'crash.db'), namespace: '' }
    },
    cleanup: async (target) => rmSync(dirname(target.address), { recursive: true, force: true }),
  },
  {
    name: 'postgres',
    up: await requireService('PostgreSQL', postgresUrl, probePostgres),
    make: () => ({ kind: 'postgres', address: postgresUrl, namespace: uniqueName('crash') }),
    cleanup: async (target) => {
      const { default: pg } = await import('pg')
      const client = new pg.Client({ connectionString: postgresUrl })
      await client.connect()
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${target.namespace}" CASCADE`)
      } finally {
        await client.end()
      }
    },
  },
  {
    name: 'mysql',
    up: await requireService('MariaDB', mysqlUrl, probeMysql),
    make: () => ({ kind: 'mysql', address: mysqlUrl, namespace: uniqueName('crash') }),
    cleanup: async (target) => {
      const mysql = await import('mysql2/promise')
      const connection = await mysql.createConnection({ uri: mysqlUrl })
      try {
        const [rows] = await connection.query(
          'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE ?',
          [`${target.namespace.replace(/_/g, '\\_')}\\_%`],
        )
        for (const { name } of rows as { name: string }[]) {
          await connection.query(`DROP TABLE IF EXISTS \`${name}\``)
        }
      } finally {
        await connection.end()
      }
    },
  },
  {
    name: 'redis',
    up: await requireService('Redis', redisUrl, probeRedis),
    make: () => ({ kind: 'redis', address: redisUrl, namespace: uniqueName('crash') }),
    cleanup: async (target) => {
      const { Redis } = await import('ioredis')
      const client = new Redis(redisUrl)
      try {
        let cursor = '0'
        do {
          const [next, keys] = await client.scan(
            cursor,
            'MATCH',
            `${target.namespace}:*`,
            'COUNT',
            500,
          )
          cursor = next
          if (keys.length > 0) await client.del(...keys)
        } while (cursor !== '0')
      } finally {
        await client.quit()
      }
    },
  },
]

for (const spec of targets) {
  describe.runIf(spec.up)(`crash recovery on ${spec.name}`, () => {
    const workers: WorkerProcess[] = []
    let target: CrashTarget | undefined
    let store: StoreV1 | undefined
    let engine: Engine | undefined
    let ledger: Ledger | undefined

    afterAll(async () => {
      // No matter what happened: no worker outlives the test.
      for (const worker of workers) if (worker.alive) worker.child.kill('SIGKILL')
      await Promise.all(workers.map((worker) => worker.exited))
      await engine?.close().catch(() => undefined)
      await store?.close().catch(() => undefined)
      await ledger?.close().catch(() => undefined)
      if (target) await spec.cleanup(target)
    }, 30_000)

    it(
      'finishes every run exactly once while workers are SIGKILLed mid-step',
      async () => {
        const began = Date.now()
        deadline = began + failSafeMs
        journal.length = 0
        journalStart = began
        const seed = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31))
        const rand = random(seed)
        target = spec.make()
        const workflows = support.crashWorkflows()
        store = await support.openCrashStore(target)
        ledger = await support.openLedger(target)
        await ledger.create()
        // Starts runs and resolves waits; executes nothing (the workers do).
        engine = support.createEngine({
          store,
          workflows: workflows.all,
          worker: false,
          recovery: false,
        })

        // Worker processes start cold (seconds: tsx compiles and loads the sources) and wait,
        // warm, for `go`; a few spares are kept warm so that a replacement starts at once.
        const earlyExits: string[] = []
        let spawned = 0
        let started = 0
        const spawnOne = () => {
          const worker = spawnWorker(target!, `w${++spawned}`, (gone) =>
            earlyExits.push(`${gone.id}: ${gone.log.join('\n')}`),
          )
          workers.push(worker)
          return worker
        }
        const startOne = async () => {
          let spare: WorkerProcess | undefined
          await until(
            () => {
              spare = workers.find((worker) => worker.warm && !worker.started && worker.alive)
              return spare !== undefined || earlyExits.length > 0
            },
            () => `no warm spare: ${earlyExits.join('\n')}`,
          )
          expect(earlyExits).toEqual([])
          spare!.started = true
          started++
          spare!.child.send({ type: 'go' })
          spawnOne()
          return spare!
        }
        for (let i = 0; i < workerCount + spares; i++) spawnOne()
        for (let i = 0; i < workerCount; i++) await startOne()
        await until(
          () =>
            earlyExits.length > 0 ||
            workers.filter((worker) => worker.started).every((worker) => worker.ready),
          () =>
            `workers not ready: ${workers.map((w) => `${w.id}: ${w.log.join('\n')}`).join('\n')}`,
        )
        expect(earlyExits).toEqual([])
        const readyAt = Date.now() - began
        note('workers ready')

        const diagnose = async (runId: string) =>
          `${JSON.stringify(await store!.getRunHistory(runId))} at ${Date.now()}\n` +
          workers
            .map(
              (w) =>
                `${w.id} ${w.alive ? `alive, ${w.ready ? 'ready' : 'not ready'}, ${w.inFlight} step(s) in flight` : w.killed ? 'killed' : 'dead'}: ${w.log.join('\n')}`,
            )
            .join('\n')

        // The runs: suspending ones first, then the chains in waves while the kills go on.
        const runs: Started[] = []
        const start = async (workflow: Started['workflow'], index: number) => {
          const key = `${workflow}-${index}`
          const v0 = index + 1
          const definition = {
            'crash-chain': workflows.chain,
            'crash-nap': workflows.nap,
            'crash-event': workflows.event,
            'crash-approval': workflows.approval,
          }[workflow]
          const handle = await engine!.start(definition, { key, v: v0 })
          runs.push({ handle, workflow, v0, key })
        }
        for (let i = 0; i < 3; i++) await start('crash-nap', i)
        for (let i = 0; i < 3; i++) await start('crash-event', i)
        for (let i = 0; i < 2; i++) await start('crash-approval', i)
        // The chains start in waves, one per kill, so that there is work in flight at every kill.
        let chainsStarted = 0
        const startChains = async (count: number) => {
          for (let i = 0; i < count && chainsStarted < chainRuns; i++) {
            await start('crash-chain', chainsStarted++)
          }
        }
        await startChains(chainRuns - (kills - 2) * 3)

        // Events and approvals arrive after some kills, from this process.
        let resolving: Promise<void> | undefined
        const directDeliveries = { events: 0, inbox: 0 }
        const resolveWaits = async () => {
          for (const run of runs.filter((r) => r.workflow === 'crash-event')) {
            const sent = await engine!.sendEvent('crash.go', { key: run.key, add: run.v0 + 7 })
            note(`sent the event of ${run.key}: ${sent.runIds.length > 0 ? 'delivered' : 'inbox'}`)
            if (sent.runIds.length > 0) directDeliveries.events++
            else directDeliveries.inbox++
          }
          await Promise.all(
            runs
              .filter((r) => r.workflow === 'crash-approval')
              .map(async (run) => {
                // Approving needs the wait to exist: wait until the run is suspended on it (a
                // read), then approve (a ConflictError means it is not waiting yet: try again).
                await until(
                  async () => {
                    if ((await run.handle.record()).status !== 'suspended') return false
                    try {
                      await run.handle.approve('crash-ok', { key: run.key, v: run.v0 + 11 })
                      note(`approved ${run.key}`)
                      return true
                    } catch (error) {
                      if (error instanceof support.ConflictError) return false
                      throw error
                    }
                  },
                  async () =>
                    `run ${run.handle.id} never waited for its approval: ${await diagnose(run.handle.id)}`,
                )
              }),
          )
        }

        // The kills: a worker that is executing a step when there is one (mid-step), else any.
        let killedMidStep = 0
        for (let kill = 1; kill <= kills; kill++) {
          await pause(100 + Math.floor(rand() * 150))
          let victim: WorkerProcess | undefined
          const anyAfter = Date.now() + 300
          await until(
            () => {
              const ready = workers.filter((worker) => worker.alive && worker.ready)
              const busy = ready.filter((worker) => worker.inFlight > 0)
              const pool = busy.length > 0 ? busy : ready
              victim = pool.length > 0 ? pool[Math.floor(rand() * pool.length)] : undefined
              return victim !== undefined && (busy.length > 0 || Date.now() > anyAfter)
            },
            () => `no live worker to kill: ${earlyExits.join('\n')}`,
          )
          if (victim!.inFlight > 0) killedMidStep++
          victim!.killed = true
          note(`kill ${kill}: ${victim!.id} (${victim!.inFlight} step(s) in flight)`)
          victim!.child.kill('SIGKILL')
          await victim!.exited
          note(`started ${(await startOne()).id}`)
          if (kill === 5) resolving = resolveWaits()
          await startChains(3)
        }
        await startChains(chainRuns)
        await resolving
        expect(earlyExits).toEqual([])
        const killedAt = Date.now() - began
        note('kills done, all runs started, waits resolved')

        // Every run ends (the deadline only keeps a broken build from hanging).
        const ended = new Set(['succeeded', 'failed', 'cancelled'])
        const pending = new Set(runs)
        await until(
          async () => {
            for (const run of [...pending]) {
              const record = await store!.getRun(run.handle.id)
              if (record && ended.has(record.status)) pending.delete(run)
            }
            return pending.size === 0
          },
          async () =>
            `${pending.size} run(s) never ended: ${[...pending].map((r) => `${r.workflow} ${r.handle.id}`).join(', ')}\n` +
            (
              await Promise.all([...pending].slice(0, 3).map((run) => diagnose(run.handle.id)))
            ).join('\n'),
        )
        const wall = Date.now() - began

        // The records: exactly the expected steps, once each, with the chain of values intact.
        const problems: string[] = []
        for (const run of runs)
          problems.push(...checkRun(run, await store.getRunHistory(run.handle.id)))
        expect(problems).toEqual([])
        // Nothing in the store is left running or suspended, and every run is one the test started.
        const unfinished = await store.listRuns({ status: ['running', 'suspended'], limit: 1000 })
        expect(unfinished.runs).toEqual([])
        const all = await store.listRuns({ limit: 1000 })
        expect(all.runs.map((run) => run.id).sort()).toEqual(
          runs.map((run) => run.handle.id).sort(),
        )

        // The ledger: every step ran at least once; more often only because of a kill.
        const entries = await ledger.entries()
        const byStep = new Map<string, LedgerEntry[]>()
        for (const entry of entries) {
          const pair = `${entry.runId}/${entry.stepKey}`
          byStep.set(pair, [...(byStep.get(pair) ?? []), entry])
        }
        const missing: string[] = []
        for (const run of runs) {
          for (const stepKey of tracked(run.workflow)) {
            const executions = byStep.get(`${run.handle.id}/${stepKey}`) ?? []
            if (executions.length === 0) missing.push(`${run.handle.id}/${stepKey}`)
            for (const execution of executions) {
              if (execution.idempotencyKey !== `${run.handle.id}:${stepKey}`) {
                missing.push(
                  `${run.handle.id}/${stepKey}: idempotencyKey ${execution.idempotencyKey}`,
                )
              }
            }
          }
        }
        expect(missing).toEqual([])
        const expectedExecutions = runs.reduce((sum, run) => sum + tracked(run.workflow).length, 0)
        expect(byStep.size).toBe(expectedExecutions)
        const reexecuted = [...byStep.values()].filter((executions) => executions.length > 1)
        const reexecutions = entries.length - byStep.size
        // A step runs again after a kill (its worker died mid-step), or after its worker, alive
        // but late to renew the lease (a busy machine), lost it: count both.
        const killed = new Set(workers.filter((worker) => worker.killed).map((worker) => worker.id))
        const afterLostLease = reexecuted
          .flatMap((executions) => executions.slice(0, -1))
          .filter((execution) => !killed.has(execution.worker)).length
        expect(kills).toBeGreaterThanOrEqual(10)

        if (process.env.CRASH_VERBOSE) console.log(journal.join('\n'))
        console.log(
          `[crash ${spec.name}] seed ${seed}: ${runs.length} runs (${chainRuns} × ${chainLength}-step chains, ` +
            `3 sleeps, 3 events, 2 approvals), ${started} workers started, ${kills} SIGKILLs ` +
            `(${killedMidStep} mid-step); ${entries.length} step executions for ${byStep.size} steps: ` +
            `${reexecutions} re-executions of ${reexecuted.length} steps ` +
            `(${reexecutions - afterLostLease} after a kill, ${afterLostLease} after a lost lease; ` +
            `at most ${Math.max(1, ...[...byStep.values()].map((list) => list.length))} runs of one step); ` +
            `events resolved at once ${directDeliveries.events}, from the inbox ${directDeliveries.inbox}; ` +
            `workers ready after ${readyAt} ms, kills done after ${killedAt} ms, all runs ended after ${wall} ms`,
        )
      },
      failSafeMs + 30_000,
    )
  })
}
