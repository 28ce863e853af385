// The built `tessera` executable as a real process: bin/tessera.js over dist/ (build core first).
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { readServerSentEvents } from '../../src/testing/index'
import { fixtures, runTessera, startTesseraPerTest } from './run-tessera'

const version = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string }
const databaseUrl = 'postgres://postgres@127.0.0.1:5432/test'
const start = startTesseraPerTest()

describe('tessera --help, --version and usage errors', { timeout: 30_000 }, () => {
  it('prints its version', async () => {
    const result = await runTessera(['--version'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`tessera/${version.version}`)
  })

  it('lists its commands', async () => {
    const result = await runTessera(['--help'])
    expect(result.code).toBe(0)
    for (const command of ['serve', 'worker', 'migrate']) expect(result.stdout).toContain(command)
    const serve = await runTessera(['serve', '--help'])
    expect(serve.stdout).toMatch(/--port <port>[\s\S]*--no-worker/)
    expect(serve.stdout).not.toContain('(default: true)')
  })

  it('exits 1 without a command, with an unknown command or option', async () => {
    const none = await runTessera([])
    expect(none).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('a command is required'),
    })
    const unknown = await runTessera(['deploy'])
    expect(unknown).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('unknown command "deploy"'),
    })
    const option = await runTessera(['serve', '--prot', '1'])
    expect(option).toMatchObject({ code: 1, stderr: expect.stringContaining('--prot') })
  })

  it('exits 1 for a port that is not one', async () => {
    const result = await runTessera(['serve', '--config', 'memory.config.ts', '--port', 'eighty'])
    expect(result).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('"--port" must be an integer'),
    })
  })
})

describe('tessera: config errors', { timeout: 30_000 }, () => {
  it('names a --config file that does not exist', async () => {
    const result = await runTessera(['migrate', '--config', 'missing.config.ts'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      `(looked for ${fixtures}missing.config.ts), received "missing.config.ts"`,
    )
  })

  it('says where it looked when there is no config in the working directory', async () => {
    const result = await runTessera(['migrate'], { cwd: new URL('.', import.meta.url).pathname })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/"--config" must be given \(no tessera\.config\.ts, .* either\)/)
  })

  it('refuses a default export that is not a config, naming the field', async () => {
    const notObject = await runTessera(['migrate', '--config', 'not-an-object.config.mjs'])
    expect(notObject.code).toBe(1)
    expect(notObject.stderr).toMatch(/"default export" must be a config object.*received 42/)
    const noEngine = await runTessera(['worker', '--config', 'no-engine.config.mjs'])
    expect(noEngine.code).toBe(1)
    expect(noEngine.stderr).toMatch(/"engine" must be engine options .* received undefined/)
  })

  it('reports a config that throws while loading, with the file', async () => {
    const result = await runTessera(['serve', '--config', 'throws.config.mjs'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      'throws.config.mjs failed: the config could not read its secrets',
    )
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })

  it('refuses to serve a config without http options', async () => {
    const result = await runTessera(['serve', '--config', 'no-http.config.mjs', '--port', '0'])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/"http" must be the HTTP handler options/)
  })
})

describe('tessera migrate', { timeout: 30_000 }, () => {
  it('says the memory store needs no preparation', async () => {
    const result = await runTessera(['migrate', '--config', 'memory.config.ts'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/store "memory" (needs no preparation|is ready)/)
  })

  it('prepares a PostgreSQL store', async () => {
    const result = await runTessera(['migrate', '--config', 'postgres.config.ts'], {
      env: { TESSERA_TEST_DATABASE_URL: databaseUrl },
    })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/store "postgres" is ready: connected, schema created or checked/)
    expect(result.stdout).toMatch(/durable, shared, transport/)
  })

  it('exits 1 with the reason when the database is unreachable', async () => {
    const result = await runTessera(['migrate', '--config', 'postgres.config.ts'], {
      env: { TESSERA_TEST_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' },
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/store "postgres" could not be prepared: .*ECONNREFUSED/)
  })
})

describe('tessera serve', { timeout: 30_000 }, () => {
  it('serves the API on a free port, logs the URL and closes on SIGTERM', async () => {
    const serve = start(['serve', '--config', 'memory.config.ts', '--port', '0'])
    const [, url] = await serve.waitForLine(/listening on (http:\/\/127\.0\.0\.1:\d+) \(worker on/)
    const health = await fetch(`${url}/health`)
    expect(health.status).toBe(200)
    expect(await serve.stop('SIGTERM')).toBe(0)
    expect(serve.lines).toContain('tessera serve: SIGTERM received, closing')
    expect(serve.lines).toContain('tessera serve: closed')
  })

  it('closes on SIGINT while an event stream is open, ending the stream', async () => {
    const serve = start(['serve', '--config', 'memory.config.ts', '--port', '0'])
    const [, url] = await serve.waitForLine(/listening on (http:\/\/\S+)/)
    const started = await fetch(`${url}/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ workflowId: 'conformance-event', input: { amount: 1 } }),
    })
    expect(started.status).toBe(201)
    const { run } = (await started.json()) as { run: { id: string } }
    const stream = await fetch(`${url}/runs/${run.id}/stream`)
    const events = readServerSentEvents(stream.body!)
    for (let next = await events.next(); next.value?.event !== 'run-start';) {
      expect(next.done).toBe(false)
      next = await events.next()
    }
    expect(await serve.stop('SIGINT')).toBe(0)
    expect(serve.lines).toContain('tessera serve: closed')
    // The run waits for an event that never comes: the stream ends because the server closed
    // (cut, as an EventSource sees a server going away, and reconnects with Last-Event-ID).
    const rest: string[] = []
    const end = await (async () => {
      for await (const event of events) rest.push(event.event)
    })().then(
      () => 'ended',
      () => 'cut',
    )
    expect(['ended', 'cut']).toContain(end)
    expect(rest).not.toContain('run-end')
  })

  it('exits 1 when the port is taken', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const { port } = blocker.address() as { port: number }
    try {
      const result = await runTessera([
        'serve',
        '--config',
        'memory.config.ts',
        '--port',
        String(port),
      ])
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(
        new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`),
      )
    } finally {
      blocker.close()
    }
  })
})

describe('tessera worker', { timeout: 30_000 }, () => {
  it('warns that a memory store is not shared, and closes on SIGTERM', async () => {
    const worker = start(['worker', '--config', 'memory.config.ts'])
    await worker.waitForLine(
      /tessera worker: executing runs \(store "memory", queue "in-process"\)/,
    )
    expect(worker.stderr()).toMatch(/store "memory" is not shared between processes/)
    expect(await worker.stop('SIGTERM')).toBe(0)
    expect(worker.lines).toEqual([
      expect.stringMatching(/executing runs/),
      'tessera worker: SIGTERM received, closing',
      'tessera worker: closed',
    ])
  })
})

describe(
  'tessera serve --no-worker with tessera worker on one PostgreSQL database',
  { timeout: 60_000 },
  () => {
    it('serves without executing; a worker process executes the run; both close on SIGTERM', async () => {
      const env = { TESSERA_TEST_DATABASE_URL: databaseUrl }
      const migrate = await runTessera(['migrate', '--config', 'postgres.config.ts'], { env })
      expect(migrate.code).toBe(0)
      const serve = start(
        ['serve', '--config', 'postgres.config.ts', '--port', '0', '--no-worker'],
        {
          env,
        },
      )
      const [, url] = await serve.waitForLine(
        /listening on (http:\/\/\S+) \(worker off, store "postgres"/,
      )
      const response = await fetch(`${url}/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ workflowId: 'conformance-event', input: { amount: 21 } }),
      })
      expect(response.status).toBe(201)
      const { run } = (await response.json()) as { run: { id: string } }
      const read = async () =>
        (await (await fetch(`${url}/runs/${run.id}`)).json()) as {
          run: { status: string }
          steps: { nodeId: string; output?: unknown }[]
        }
      // Nothing in the serving process executes the first step.
      expect((await read()).steps).toEqual([])

      const worker = start(['worker', '--config', 'postgres.config.ts'], { env })
      await worker.waitForLine(/tessera worker: executing runs \(store "postgres"/)
      let view = await read()
      for (let tries = 0; view.steps.length === 0 && tries < 400; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 25))
        view = await read()
      }
      expect(view.steps).toEqual([
        expect.objectContaining({ nodeId: 'conformance-double', output: { amount: 42 } }),
      ])
      expect(view.run.status).toBe('suspended')

      expect(await worker.stop('SIGTERM')).toBe(0)
      expect(worker.lines).toContain('tessera worker: closed')
      expect(await serve.stop('SIGTERM')).toBe(0)
    })
  },
)
