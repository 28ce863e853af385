import type { CliOutput } from './cli-output'
import { configuredEngine } from './configured-engine'
import { findConfigFile, loadConfig } from './load-config'

/** Options of {@link migrateCommand} (`tessera migrate`). */
export interface MigrateCommandOptions {
  config?: string
  cwd: string
  output: CliOutput
}

/**
 * `tessera migrate`: builds the config's engine without a worker, prepares its store (awaits
 * `store.ready()`: connect, create or check the schema), says what it did and closes. Resolves
 * to the exit code: 0 when the store is ready, 1 when it cannot be prepared (the reason printed).
 *
 * @example
 * ```ts
 * process.exitCode = await migrateCommand({ cwd: process.cwd(), output: consoleOutput })
 * ```
 */
export async function migrateCommand(options: MigrateCommandOptions): Promise<number> {
  const { output } = options
  const path = findConfigFile('tessera migrate', options.cwd, options.config)
  const config = await loadConfig('tessera migrate', path)
  const engine = await configuredEngine('tessera migrate', config, {
    command: 'migrate',
    worker: false,
  })
  const store = engine.store
  try {
    output.info(`tessera migrate: config ${path}`)
    if (typeof store.ready !== 'function') {
      output.info(
        `tessera migrate: store "${store.provider}" needs no preparation (it has no ready()); nothing to do`,
      )
      return 0
    }
    const started = Date.now()
    try {
      await store.ready()
    } catch (error) {
      output.error(
        `tessera migrate: store "${store.provider}" could not be prepared: ${error instanceof Error ? error.message : String(error)}`,
      )
      return 1
    }
    const { durable, shared, transport, threads, records } = store.capabilities
    const features = Object.entries({ durable, shared, transport, threads, records })
      .filter(([, on]) => on === true)
      .map(([name]) => name)
    output.info(
      `tessera migrate: store "${store.provider}" is ready: connected, schema created or checked (${Date.now() - started} ms; ${features.join(', ') || 'no capabilities'})`,
    )
    return 0
  } finally {
    await engine.close()
  }
}
