// Tessera quickstart, part 2: a run survives a crash. A child process starts a five-step run on
// an embedded SQLite file and is killed (SIGKILL) in the middle of it; this process then opens
// the same file, and its engine finishes the run without running the completed steps again.
// Then a run waits for an approval across an engine restart. No server, no API key.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createEngine, createStep, createWorkflow } from '@tessera/core'
import { createSqliteStore } from '@tessera/connectors/sqlite'
import { z } from 'zod'

const progress = z.object({ orderId: z.string(), done: z.array(z.string()) })

/** A step that takes a moment and notes which process ran it. */
const stage = (id: string) =>
  createStep({
    id,
    input: progress,
    output: progress,
    run: async ({ input }) => {
      await new Promise((resolve) => setTimeout(resolve, 150))
      return { ...input, done: [...input.done, `${id}@${process.pid}`] }
    },
  })

const fulfil = createWorkflow({ id: 'fulfil-order', input: progress })
  .then(stage('reserve'))
  .then(stage('charge'))
  .then(stage('pack'))
  .then(stage('ship'))
  .then(stage('invoice'))
  .commit()

const refund = createWorkflow({ id: 'refund', input: z.object({ orderId: z.string() }) })
  .approval({ id: 'manager', schema: z.object({ amount: z.number() }) })
  .map(({ input }) => (input.approved ? `refunded ${input.data.amount}` : 'refused'))
  .commit()

// A short lease: a dead worker's step is taken over one second after its last heartbeat.
const open = (file: string) =>
  createEngine({
    store: createSqliteStore({ filename: file }),
    workflows: [fulfil, refund],
    lease: '1s',
    recovery: { interval: '250ms', olderThan: '1s' },
  })

if (process.argv[2] === 'child') {
  // The process that crashes: start the run, report each committed step, wait to be killed.
  const engine = open(process.argv[3]!)
  const run = await engine.start(fulfil, { orderId: 'A7', done: [] }, { runId: 'order-A7' })
  run.on('step-end', (event) => console.log(`STEP ${event.stepId}`))
  await new Promise(() => undefined)
}

const dir = mkdtempSync(join(tmpdir(), 'tessera-quickstart-'))
const file = join(dir, 'tessera.db')
try {
  console.log('\nDurability: a run survives a crash (SQLite file, no server)\n')
  const child = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), 'child', file],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  let committed = 0
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', (code) => reject(new Error(`the child exited early (code ${code})`)))
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      for (const line of text.split('\n').filter((l) => l.startsWith('STEP '))) {
        committed++
        console.log(`  process ${child.pid}: committed ${line.slice(5)}`)
        if (committed === 2) {
          child.removeAllListeners('exit')
          child.kill('SIGKILL')
          console.log(`  process ${child.pid}: killed with SIGKILL in the middle of "pack"`)
          child.on('exit', () => resolve())
        }
      }
    })
  })

  const engine = open(file)
  console.log(`  process ${process.pid}: opened the same file; recovery takes the run over`)
  const run = await engine.getRun('order-A7')
  const result = (await run.result()) as z.infer<typeof progress>
  console.log(`  run ${run.id} finished: ${result.done.join(' → ')}`)
  const steps = await run.steps()
  console.log(
    `  ${steps.length} step records, one per step: ${steps.map((step) => step.key).join(', ')}`,
  )

  console.log('\nDurability: an approval outlives the engine that asked for it\n')
  const waiting = await engine.start(refund, { orderId: 'A7' })
  for (let tries = 0; (await waiting.record()).status !== 'suspended' && tries < 100; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  console.log(
    `  run ${waiting.id.slice(0, 8)} is ${(await waiting.record()).status}; engine closes`,
  )
  await engine.close()
  const restarted = open(file)
  const again = await restarted.getRun(waiting.id)
  await again.approve('manager', { amount: 25 }, { by: 'ana@example.com' })
  console.log(`  a new engine approved it: ${String(await again.result())}`)
  await restarted.close()
} finally {
  rmSync(dir, { recursive: true, force: true })
}
