import type { CliOutput } from './cli-output'
import { configuredEngine } from './configured-engine'
import { findConfigFile, loadConfig } from './load-config'
import { preflightWorkflows } from './preflight-workflows'
import { registerPublished } from './register-published'
import { waitForSignal } from './wait-for-signal'

/** Options of {@link workerCommand} (`tessera worker`). */
export interface WorkerCommandOptions {
  config?: string
  /** Exit 1 when a workflow's connector config has a problem. Default: warn and go on. */
  strict?: boolean
  cwd: string
  output: CliOutput
  /** Resolves when the worker should stop. Default: SIGINT or SIGTERM. */
  stop?: Promise<unknown>
}

/**
 * `tessera worker`: builds the config's engine with a worker, registers the published versions
 * of the definitions stored in its store (see `registerPublished`; versions it meets later are
 * looked up there too) and executes runs until SIGINT or SIGTERM, then closes gracefully (the
 * steps in progress finish; no new task is taken). It serves no HTTP. Resolves to the exit code
 * once closed.
 *
 * @example
 * ```ts
 * process.exitCode = await workerCommand({ cwd: process.cwd(), output: consoleOutput })
 * ```
 */
export async function workerCommand(options: WorkerCommandOptions): Promise<number> {
  // Listening for signals before anything is printed: a supervisor that sends SIGTERM as soon as
  // it reads the first line must not find Node's default handler (which ends the process).
  const signals = options.stop === undefined ? waitForSignal() : undefined
  try {
    return await runWorker(options, options.stop ?? signals!.received)
  } finally {
    signals?.dispose()
  }
}

async function runWorker(options: WorkerCommandOptions, stop: Promise<unknown>): Promise<number> {
  const { output } = options
  const path = findConfigFile('tessera worker', options.cwd, options.config)
  const config = await loadConfig('tessera worker', path)
  const engine = await configuredEngine('tessera worker', config, {
    command: 'worker',
    worker: true,
  })
  try {
    await engine.store.ready?.()
  } catch (error) {
    await engine.close()
    throw error
  }
  await registerPublished('tessera worker', engine, output)
  const problems = await preflightWorkflows('tessera worker', engine, output)
  if (problems > 0 && options.strict) {
    await engine.close()
    return 1
  }
  const store = engine.store
  if (!store.capabilities.shared) {
    output.error(
      `tessera worker: store "${store.provider}" is not shared between processes: this worker only executes runs started in this process (use a database store)`,
    )
  }
  output.info(
    `tessera worker: executing runs (store "${store.provider}", queue "${engine.queue.provider}")`,
  )
  const reason = await stop
  output.info(`tessera worker: ${typeof reason === 'string' ? reason : 'stop'} received, closing`)
  await engine.close()
  output.info('tessera worker: closed')
  return 0
}
