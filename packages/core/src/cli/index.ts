// @tessera/core/cli: the `tessera` command line (bin/tessera.js) as functions. Node-only; the
// package's main entry never imports it.
export { runCli, type RunCliOptions } from './run-cli'
export { serveCommand, type ServeCommandOptions } from './serve-command'
export { workerCommand, type WorkerCommandOptions } from './worker-command'
export { migrateCommand, type MigrateCommandOptions } from './migrate-command'
export { secretsCommand, type SecretsCommandOptions } from './secrets-command'
export { preflightWorkflows } from './preflight-workflows'
export { registerPublished } from './register-published'
export { findConfigFile, loadConfig, checkConfig, configFileNames } from './load-config'
export { consoleOutput, type CliOutput } from './cli-output'
