import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { problemResponse } from '../errors/problem-response'
import { InvalidArgumentError } from '../errors/invalid-argument-error'
import { createHttpHandler, type HttpHandler } from '../http/create-http-handler'
import { toRawRequest } from '../node/raw-request'
import { writeFetchResponse } from '../node/write-fetch-response'
import { writeRawReply } from '../node/write-raw-reply'
import type { Engine } from '../runtime/engine'
import type { CliOutput } from './cli-output'
import { configuredEngine } from './configured-engine'
import { findConfigFile, loadConfig } from './load-config'
import { preflightWorkflows } from './preflight-workflows'
import { registerPublished } from './register-published'
import { waitForSignal } from './wait-for-signal'

/** Options of {@link serveCommand} (`tessera serve`). */
export interface ServeCommandOptions {
  config?: string
  /** 0 picks a free port (the URL printed says which). */
  port: number
  host: string
  /** False (`--no-worker`): serve the API only; another process executes runs. */
  worker: boolean
  /** Exit 1 (before listening) when a workflow's connector config has a problem. Default: warn. */
  strict?: boolean
  cwd: string
  output: CliOutput
  /** Resolves when the server should stop. Default: SIGINT or SIGTERM. */
  stop?: Promise<unknown>
}

/**
 * `tessera serve`: builds the config's engine, prepares its store, registers the published
 * versions of the definitions stored there (see `registerPublished`), serves
 * `createHttpHandler(engine, config.http)` on `node:http` (through the handler's raw entry, no
 * Fetch objects on the way) and, unless
 * `--no-worker` or `worker: false`, executes runs in the same process. On SIGINT or SIGTERM it
 * stops accepting connections, lets the engine finish the steps in progress, ends open streams
 * and resolves to the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await serveCommand({ port: 8787, host: '127.0.0.1', worker: true, cwd: process.cwd(), output: consoleOutput })
 * ```
 */
export async function serveCommand(options: ServeCommandOptions): Promise<number> {
  // Listening for signals before anything is printed: a supervisor that sends SIGTERM as soon as
  // it reads the first line must not find Node's default handler (which ends the process).
  const signals = options.stop === undefined ? waitForSignal() : undefined
  try {
    return await runServe(options, options.stop ?? signals!.received)
  } finally {
    signals?.dispose()
  }
}

async function runServe(options: ServeCommandOptions, stop: Promise<unknown>): Promise<number> {
  const { output } = options
  const port = checkPort(options.port)
  const path = findConfigFile('tessera serve', options.cwd, options.config)
  const config = await loadConfig('tessera serve', path)
  if (config.http === undefined) {
    throw new InvalidArgumentError({
      fn: `tessera serve (${path})`,
      argument: 'http',
      expected: 'the HTTP handler options, with `auth` (tessera serve serves the HTTP API)',
      received: undefined,
    })
  }
  const worker = options.worker && config.worker !== false
  const engine = await configuredEngine('tessera serve', config, { command: 'serve', worker })
  let server: Server
  try {
    await engine.store.ready?.()
    await registerPublished('tessera serve', engine, output)
    const problems = await preflightWorkflows('tessera serve', engine, output)
    if (problems > 0 && options.strict) {
      await engine.close()
      return 1
    }
    const httpOptions = typeof config.http === 'function' ? await config.http(engine) : config.http
    const handler = createHttpHandler(engine, httpOptions)
    server = await listen(handler, port, options.host)
  } catch (error) {
    await engine.close()
    throw error
  }
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  output.info(
    `tessera serve: listening on http://${host}:${address.port} (worker ${worker ? 'on' : 'off'}, store "${engine.store.provider}", config ${path})`,
  )
  const reason = await stop
  output.info(`tessera serve: ${typeof reason === 'string' ? reason : 'stop'} received, closing`)
  await closeGracefully(server, engine)
  output.info('tessera serve: closed')
  return 0
}

function checkPort(port: unknown): number {
  const value = typeof port === 'string' && /^\d+$/.test(port) ? Number(port) : port
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) {
    throw new InvalidArgumentError({
      fn: 'tessera serve',
      argument: '--port',
      expected: 'an integer from 0 to 65535 (0 picks a free port)',
      received: port,
    })
  }
  return value
}

function listen(handler: HttpHandler, port: number, host: string): Promise<Server> {
  // The client's address goes to the handler (rate limits of anonymous callers, audit records).
  const server = createServer((request, response) => {
    handler
      .handle(toRawRequest(request, { response }))
      .then(
        (reply) => writeRawReply(response, reply),
        // The handler answers its own failures; this is a last resort (a broken request).
        (error: unknown) =>
          request.destroyed ? undefined : writeFetchResponse(response, problemResponse(error)),
      )
      .catch((error: unknown) => response.destroy(error instanceof Error ? error : undefined))
  })
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(`tessera serve: cannot listen on ${host}:${port}: ${error.message}`, {
          cause: error,
        }),
      ),
    )
    server.listen(port, host, () => resolve(server))
  })
}

/**
 * Stops taking connections, closes the idle ones, waits for the engine (steps in progress
 * finish, no new task starts), then ends what is still open (event streams) and waits for the
 * server to be closed.
 */
async function closeGracefully(server: Server, engine: Engine): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  server.closeIdleConnections()
  await engine.close()
  server.closeAllConnections()
  await closed
}
