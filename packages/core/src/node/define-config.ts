import type { HttpHandlerOptions } from '../http/http-handler-options'
import type { Engine, EngineOptions } from '../runtime/engine'

/** What the `tessera` CLI tells a config's `engine` factory about the process it builds for. */
export interface TesseraConfigContext {
  /** The command that loaded the config. */
  command: 'serve' | 'worker' | 'migrate'
  /**
   * Whether this process executes runs. When false (`tessera serve --no-worker`,
   * `tessera migrate`), build the engine with `worker: false`: it then only starts and observes
   * runs, and another process (`tessera worker`) executes them through a shared store.
   */
  worker: boolean
}

/**
 * The default export of `tessera.config.ts`, read by the `tessera` CLI (`serve`, `worker`,
 * `migrate`). See {@link defineConfig}.
 */
export interface TesseraConfig {
  /**
   * The engine: its options (the CLI calls `createEngine` with them and sets `worker` for the
   * command), or a factory that builds it. The factory receives the command and whether the
   * process executes runs, and should pass `worker: false` to `createEngine` when it does not.
   */
  engine: EngineOptions | ((context: TesseraConfigContext) => Engine | Promise<Engine>)
  /**
   * Options of the HTTP handler that `tessera serve` serves (`createHttpHandler` from
   * `@tessera/core/http`), or a function of the engine that returns them (to build
   * authenticators on the engine's store). Required by `tessera serve`; `auth` has no default.
   */
  http?: HttpHandlerOptions | ((engine: Engine) => HttpHandlerOptions | Promise<HttpHandlerOptions>)
  /**
   * Whether `tessera serve` also executes runs. Default true; `--no-worker` on the command line
   * turns it off too. `tessera worker` always executes runs, `tessera migrate` never does.
   */
  worker?: boolean
}

/**
 * Types a `tessera.config.ts` (the identity function: it only gives the object its type). The
 * `tessera` CLI loads the file's default export with jiti, so TypeScript configs need no build.
 *
 * @example
 * ```ts
 * // tessera.config.ts
 * import { createEngine } from '@tessera/core'
 * import { defineConfig } from '@tessera/core/node'
 * import { apiKeyAuth } from '@tessera/core/http'
 * import { createPostgresStore } from '@tessera/connectors/postgres'
 * import { orderReview } from './src/workflows'
 *
 * export default defineConfig({
 *   engine: ({ worker }) =>
 *     createEngine({
 *       store: createPostgresStore({ connectionString: process.env.DATABASE_URL! }),
 *       workflows: [orderReview],
 *       worker: worker ? {} : false,
 *     }),
 *   http: (engine) => ({ auth: [apiKeyAuth({ store: engine.store })] }),
 * })
 * ```
 */
export function defineConfig(config: TesseraConfig): TesseraConfig {
  return config
}
