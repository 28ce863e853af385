import process from 'node:process'
import { cac } from 'cac'
import type { CliOutput } from './cli-output'
import { consoleOutput } from './cli-output'
import { migrateCommand } from './migrate-command'
import { secretsCommand } from './secrets-command'
import { serveCommand } from './serve-command'
import { workerCommand } from './worker-command'

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /** The CLI's version, printed by `--version`. */
  version: string
  /** Default `process.cwd()`: where the config is looked for and relative paths start. */
  cwd?: string
  /** Default: stdout and stderr. */
  output?: CliOutput
}

/**
 * Runs the `tessera` command line (`serve`, `worker`, `migrate`, `--help`, `--version`) and
 * resolves to the process's exit code: 0 on success (long-running commands once closed by a
 * signal), 1 on a usage error, a missing or bad config, or a store that cannot be prepared. The
 * error's message is printed, never its stack.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2), { version: '0.1.0' })
 * ```
 */
export async function runCli(argv: readonly string[], options: RunCliOptions): Promise<number> {
  const output = options.output ?? consoleOutput
  const cwd = options.cwd ?? process.cwd()
  const cli = cac('tessera')
  let run: (() => Promise<number>) | undefined

  cli
    .command('serve', 'Serve the HTTP API of the engine in the config (and execute runs)')
    .option('--config <file>', 'Config file (default: tessera.config.{ts,mts,mjs,js,cjs} in cwd)')
    .option('--port <port>', 'Port to listen on; 0 picks a free one', { default: 8787 })
    .option('--host <host>', 'Address to listen on', { default: '127.0.0.1' })
    .option('--no-worker', 'Only serve the API; another process (tessera worker) executes runs')
    .option('--strict', 'Exit 1 when a workflow refers to a secret no provider has')
    .example((name) => `  $ ${name} serve --config tessera.config.ts --port 8787`)
    .action(
      (flags: {
        config?: string
        port: unknown
        host: string
        worker: boolean
        strict?: boolean
      }) => {
        run = () =>
          serveCommand({
            config: flags.config,
            port: flags.port as number,
            host: String(flags.host),
            worker: flags.worker,
            strict: flags.strict === true,
            cwd,
            output,
          })
      },
    )

  cli
    .command('worker', 'Execute runs of the engine in the config (no HTTP)')
    .option('--config <file>', 'Config file (default: tessera.config.{ts,mts,mjs,js,cjs} in cwd)')
    .option('--strict', 'Exit 1 when a workflow refers to a secret no provider has')
    .example((name) => `  $ ${name} worker --config tessera.config.ts`)
    .action((flags: { config?: string; strict?: boolean }) => {
      run = () =>
        workerCommand({ config: flags.config, strict: flags.strict === true, cwd, output })
    })

  cli
    .command('migrate', "Prepare the config's store (connect, create or check its schema)")
    .option('--config <file>', 'Config file (default: tessera.config.{ts,mts,mjs,js,cjs} in cwd)')
    .example((name) => `  $ ${name} migrate --config tessera.config.ts`)
    .action((flags: { config?: string }) => {
      run = () => migrateCommand({ config: flags.config, cwd, output })
    })

  cli
    .command('secrets <action> [name]', 'Encrypted secrets file: keygen, set NAME, list')
    .option(
      '--file <file>',
      'Secrets file (default: $TESSERA_SECRETS_FILE or tessera.secrets.json)',
    )
    .option('--from-env <variable>', 'set: read the value from this variable (default: stdin)')
    .example((name) => `  $ ${name} secrets keygen`)
    .example((name) => `  $ printf %s "$SLACK_TOKEN" | ${name} secrets set SLACK_TOKEN`)
    .example((name) => `  $ ${name} secrets list --file secrets.json`)
    .action(
      (action: string, name: string | undefined, flags: { file?: string; fromEnv?: string }) => {
        run = () =>
          secretsCommand({
            action,
            ...(name !== undefined ? { name: String(name) } : {}),
            ...(flags.file !== undefined ? { file: String(flags.file) } : {}),
            ...(flags.fromEnv !== undefined ? { fromEnv: String(flags.fromEnv) } : {}),
            cwd,
            output,
          })
      },
    )

  // cac prints a negated flag's implied default ("--no-worker … (default: true)"): drop it.
  cli.help((sections) =>
    sections.map((section) => ({
      ...section,
      body: section.body.replace(/(--no-worker .*?) \(default: true\)/, '$1'),
    })),
  )
  cli.version(options.version)

  try {
    const parsed = cli.parse(['node', 'tessera', ...argv], { run: false })
    if (parsed.options.help || parsed.options.version) return 0
    if (cli.matchedCommand === undefined) {
      output.error(
        parsed.args.length > 0
          ? `tessera: unknown command "${String(parsed.args[0])}" (commands: serve, worker, migrate, secrets; see tessera --help)`
          : 'tessera: a command is required (serve, worker, migrate, secrets; see tessera --help)',
      )
      return 1
    }
    await cli.runMatchedCommand()
  } catch (error) {
    output.error(`tessera: ${messageOf(error)} (see tessera --help)`)
    return 1
  }
  if (run === undefined) return 1
  try {
    return await run()
  } catch (error) {
    output.error(messageOf(error))
    return 1
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
