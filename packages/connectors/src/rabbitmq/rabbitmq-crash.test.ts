import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import amqp from 'amqplib'
import { afterAll, describe, expect, it } from 'vitest'
import { createEngine } from '@tessera/core'
import { createSqliteStore } from '../sqlite/index'
import { eventually, orderWorkflow, runsOf } from '../../test/consumer-kit'
import { requireService, uniqueName } from '../../test/services'
import { rabbitmqTrigger } from './rabbitmq-trigger'

// A real crash between the durable start and the ack: a worker process (test/
// crash-consumer-worker.ts) consumes the queue with an SQLite store, reports the run it started
// and is SIGKILLed before it acknowledges. The broker requeues the message; a trigger in this
// process, on the same store, gets it again and finds the run: one run, message acknowledged.

const url = process.env.TESSERA_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672'
const up = await requireService('RabbitMQ', '127.0.0.1:5672', async () => {
  const connection = await amqp.connect(url, { timeout: 3_000 })
  await connection.close()
})
const testDir = fileURLToPath(new URL('../../test/', import.meta.url))
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
const dir = mkdtempSync(join(tmpdir(), 'tessera-consumer-crash-'))

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe.runIf(up)('rabbitmqTrigger: a worker killed before the ack', { timeout: 60_000 }, () => {
  it('redelivers to the next consumer, which finds the run: one run', async () => {
    const queue = uniqueName('tessera_crash_q')
    const admin = await amqp.connect(url)
    const channel = await admin.createChannel()
    await channel.assertQueue(queue, { durable: true })
    const filename = join(dir, 'store.sqlite')
    const workflowId = uniqueName('rabbit_killed')
    try {
      channel.sendToQueue(queue, Buffer.from(JSON.stringify({ orderId: 'o-killed' })))
      const child = spawn(
        process.execPath,
        ['--import', tsxLoader, join(testDir, 'crash-consumer-worker.ts')],
        {
          env: {
            ...process.env,
            TSX_TSCONFIG_PATH: join(testDir, 'tsconfig.crash.json'),
            CONSUMER_SQLITE: filename,
            CONSUMER_AMQP_URL: url,
            CONSUMER_QUEUE: queue,
            CONSUMER_WORKFLOW: workflowId,
            CONSUMER_TRIGGER: 'killed',
          },
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        },
      )
      const exited = new Promise((resolve) => child.once('exit', resolve))
      const started = await new Promise<string>((resolve, reject) => {
        child.on('message', (message: { started?: string }) => {
          if (message.started) resolve(message.started)
        })
        child.once('exit', (code) =>
          reject(new Error(`the worker exited (${code}) before starting a run`)),
        )
      })
      // The run is committed, the message not acknowledged: kill the worker now.
      child.kill('SIGKILL')
      await exited
      await eventually(
        'the broker to requeue the message',
        async () => (await channel.checkQueue(queue)).messageCount === 1,
      )

      const store = createSqliteStore({ filename })
      const engine = createEngine({ store, worker: false })
      try {
        const seen: { redelivered: boolean }[] = []
        const subscription = await engine.startTrigger(
          rabbitmqTrigger({
            id: 'killed',
            url,
            queue,
            workflow: orderWorkflow(workflowId),
            // The default key, as in the worker; the input function only looks.
            input: (message) => {
              seen.push({ redelivered: message.redelivered })
              return message.body
            },
          }),
        )
        await eventually('the redelivered message acknowledged', async () => seen.length === 1)
        await subscription.stop()
        expect(seen).toEqual([{ redelivered: true }])
        expect(await channel.get(queue)).toBe(false)
        const runs = await runsOf(store, workflowId)
        expect(runs.map((run) => run.id)).toEqual([started])
      } finally {
        await engine.close()
      }
    } finally {
      await channel.deleteQueue(queue).catch(() => undefined)
      await admin.close()
    }
  })
})
