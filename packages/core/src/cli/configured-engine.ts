import { InvalidArgumentError } from '../errors/invalid-argument-error'
import { createEngine, type Engine } from '../runtime/engine'
import type { TesseraConfig, TesseraConfigContext } from '../node/define-config'

/**
 * Builds the engine a config describes for one command: calls its factory with the context, or
 * `createEngine` with its options and the command's worker setting (`worker: false` when the
 * process does not execute runs; the options' own worker settings when it does).
 *
 * @example
 * ```ts
 * const engine = await configuredEngine('tessera worker', config, { command: 'worker', worker: true })
 * ```
 */
export async function configuredEngine(
  command: string,
  config: TesseraConfig,
  context: TesseraConfigContext,
): Promise<Engine> {
  if (typeof config.engine !== 'function') {
    const options = config.engine
    const worker = context.worker
      ? options.worker === false || options.worker === undefined
        ? {}
        : options.worker
      : false
    return createEngine({ ...options, worker })
  }
  const engine: unknown = await config.engine(context)
  if (!isEngine(engine)) {
    throw new InvalidArgumentError({
      fn: command,
      argument: 'engine',
      expected: 'a factory that returns an engine (createEngine(...))',
      received: engine,
    })
  }
  return engine
}

function isEngine(value: unknown): value is Engine {
  if (typeof value !== 'object' || value === null) return false
  const engine = value as Partial<Record<keyof Engine, unknown>>
  return (
    typeof engine.start === 'function' &&
    typeof engine.close === 'function' &&
    typeof engine.store === 'object' &&
    engine.store !== null
  )
}
