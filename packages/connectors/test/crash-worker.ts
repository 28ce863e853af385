// A worker process of the crash-recovery test (crash-recovery.test.ts starts and SIGKILLs it).
// It opens the store named by its environment, runs an engine whose transport is the store
// itself, and executes steps until it is killed; every step records its execution in a ledger
// in the same database. It never exits on its own, except when its parent goes away.
//
// Run it as `node --import tsx crash-worker.ts` with TSX_TSCONFIG_PATH=tsconfig.crash.json: that
// tsconfig maps @tessera/core and @tessera/connectors/* to their sources, so the worker runs
// the code under test, never a stale dist/ build (the check below makes sure of it).
//
// Environment: CRASH_STORE (sqlite | postgres | mysql | redis), CRASH_ADDRESS (file or server
// address), CRASH_NAMESPACE (schema / table prefix / key prefix), CRASH_WORKER_ID.
import { createEngine } from '@tessera/core'
import { crashWorkflows, openCrashStore, openLedger, targetFromEnv } from './crash-support'

const send = (message: unknown) => {
  if (process.connected) process.send?.(message)
}

for (const specifier of ['@tessera/core', `@tessera/connectors/${process.env.CRASH_STORE}`]) {
  const url = import.meta.resolve(specifier)
  if (!url.includes('/src/')) {
    throw new Error(`${specifier} resolves to ${url}, not to its sources: set TSX_TSCONFIG_PATH`)
  }
}

// Without its parent (the test process died or was interrupted) a worker has nothing to do.
process.on('disconnect', () => process.exit(0))

const target = targetFromEnv(process.env)
const workerId = process.env.CRASH_WORKER_ID ?? `crash-worker-${process.pid}`
const store = await openCrashStore(target)
const ledger = await openLedger(target)
let inFlight = 0

const workflows = crashWorkflows({
  async record(entry) {
    // A ledger write that fails (a busy database) is tried again: the ledger must see every
    // execution, and the step must not fail because of it.
    for (let tries = 1; ; tries++) {
      try {
        return await ledger.record({ ...entry, worker: workerId })
      } catch (error) {
        if (tries >= 50) throw error
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
  },
  workMs: () => 5 + Math.floor(Math.random() * 20),
  busy(delta) {
    inFlight += delta
    send({ type: 'busy', inFlight })
  },
})

// Loaded and connected: a warm spare. The test says `go` when it needs a replacement at once (a
// cold start takes seconds: tsx compiles and loads the sources).
send({ type: 'warm', workerId })
await new Promise<void>((resolve) =>
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'go') resolve()
  }),
)

const engine = createEngine({
  store,
  workflows: workflows.all,
  worker: { id: workerId, concurrency: 4 },
  lease: '1s',
  recovery: { interval: '200ms' },
  poll: '20ms',
  logger: {
    debug: () => undefined,
    info: () => undefined,
    warn: (message, fields) => console.error(`[${workerId}] warn: ${message}`, fields ?? ''),
    error: (message, fields) => console.error(`[${workerId}] error: ${message}`, fields ?? ''),
    child() {
      return this
    },
  },
})
engine.on('step-retry', (event) => console.error(`[${workerId}] step-retry`, JSON.stringify(event)))

send({ type: 'ready', workerId })
