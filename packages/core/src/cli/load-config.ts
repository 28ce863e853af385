import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { createJiti } from 'jiti'
import { InvalidArgumentError } from '../errors/invalid-argument-error'
import type { TesseraConfig } from '../node/define-config'

/** The file names `tessera` looks for in the working directory when `--config` is not given. */
export const configFileNames = [
  'tessera.config.ts',
  'tessera.config.mts',
  'tessera.config.mjs',
  'tessera.config.js',
  'tessera.config.cjs',
] as const

/**
 * Finds the config file: `--config` resolved against `cwd`, or the first of
 * {@link configFileNames} in `cwd`. Throws `InvalidArgumentError` naming what was looked for.
 *
 * @example
 * ```ts
 * findConfigFile('tessera serve', process.cwd(), 'config/tessera.config.ts')
 * ```
 */
export function findConfigFile(command: string, cwd: string, explicit?: string): string {
  if (explicit !== undefined) {
    const path = resolve(cwd, explicit)
    if (!existsSync(path) || !statSync(path).isFile()) {
      throw new InvalidArgumentError({
        fn: command,
        argument: '--config',
        expected: `the path of a config file that exists (looked for ${path})`,
        received: explicit,
      })
    }
    return path
  }
  for (const name of configFileNames) {
    const path = resolve(cwd, name)
    if (existsSync(path)) return path
  }
  throw new InvalidArgumentError({
    fn: command,
    argument: '--config',
    expected: `given (no ${configFileNames.join(', ')} in ${cwd} either)`,
    received: undefined,
  })
}

/**
 * Loads a config file with jiti (TypeScript and ESM without a build step) and checks its
 * default export is a {@link TesseraConfig}. Errors thrown while evaluating the file propagate
 * with the file named; a bad export throws `InvalidArgumentError`.
 *
 * @example
 * ```ts
 * const config = await loadConfig('tessera serve', '/srv/app/tessera.config.ts')
 * ```
 */
export async function loadConfig(command: string, path: string): Promise<TesseraConfig> {
  const jiti = createJiti(path, { interopDefault: true, moduleCache: false, fsCache: false })
  let loaded: unknown
  try {
    loaded = await jiti.import(path, { default: true })
  } catch (error) {
    throw new Error(`${command}: loading ${path} failed: ${messageOf(error)}`, { cause: error })
  }
  return checkConfig(command, path, loaded)
}

/**
 * Checks that a config file's default export is a {@link TesseraConfig}: an object whose
 * `engine` is engine options or a factory, whose `http` (if set) is handler options or a
 * function, and whose `worker` (if set) is a boolean.
 *
 * @example
 * ```ts
 * checkConfig('tessera serve', 'tessera.config.ts', { engine: {} }) // returns it
 * ```
 */
export function checkConfig(command: string, path: string, value: unknown): TesseraConfig {
  const where = `${command} (${path})`
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError({
      fn: where,
      argument: 'default export',
      expected: 'a config object: export default defineConfig({ engine, http })',
      received: value,
    })
  }
  const config = value as Record<string, unknown>
  if (
    typeof config.engine !== 'function' &&
    (typeof config.engine !== 'object' || config.engine === null || Array.isArray(config.engine))
  ) {
    throw new InvalidArgumentError({
      fn: where,
      argument: 'engine',
      expected: 'engine options (an object) or a function that returns an engine',
      received: config.engine,
    })
  }
  if (
    config.http !== undefined &&
    typeof config.http !== 'function' &&
    (typeof config.http !== 'object' || config.http === null || Array.isArray(config.http))
  ) {
    throw new InvalidArgumentError({
      fn: where,
      argument: 'http',
      expected: 'HTTP handler options (an object) or a function of the engine that returns them',
      received: config.http,
    })
  }
  if (config.worker !== undefined && typeof config.worker !== 'boolean') {
    throw new InvalidArgumentError({
      fn: where,
      argument: 'worker',
      expected: 'a boolean',
      received: config.worker,
    })
  }
  return config as unknown as TesseraConfig
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
