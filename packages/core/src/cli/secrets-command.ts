import { resolve } from 'node:path'
import process from 'node:process'
import { InvalidArgumentError } from '../errors/invalid-argument-error'
import {
  generateSecretsKey,
  listEncryptedSecrets,
  writeEncryptedSecrets,
} from '../node/encrypted-file-secrets'
import type { CliOutput } from './cli-output'

/** Options of {@link secretsCommand} (`tessera secrets set|list|keygen`). */
export interface SecretsCommandOptions {
  action: string
  /** The secret's name (`set`). */
  name?: string
  /** The secrets file. Default: `TESSERA_SECRETS_FILE`, else `tessera.secrets.json` in `cwd`. */
  file?: string
  /** `set`: read the value from this environment variable instead of standard input. */
  fromEnv?: string
  cwd: string
  output: CliOutput
  /** Where `set` reads the value when `fromEnv` is not given. Default: the process's stdin. */
  stdin?: AsyncIterable<Uint8Array | string>
  /** Default: `process.env` (the key is `TESSERA_SECRETS_KEY`). */
  env?: Record<string, string | undefined>
}

const secretName = /^[A-Za-z0-9_][A-Za-z0-9_./#-]{0,199}$/

/**
 * `tessera secrets`: `keygen` prints a new key (32 random bytes, base64) for
 * `TESSERA_SECRETS_KEY`; `set NAME` encrypts a value from standard input (one trailing newline
 * dropped) or `--from-env VAR` into the secrets file; `list` prints the names in it. Values are
 * never printed.
 *
 * @example
 * ```ts
 * process.exitCode = await secretsCommand({ action: 'list', cwd: process.cwd(), output: consoleOutput })
 * ```
 */
export async function secretsCommand(options: SecretsCommandOptions): Promise<number> {
  const { output } = options
  const env = options.env ?? process.env
  const file = resolve(
    options.cwd,
    options.file ?? env.TESSERA_SECRETS_FILE ?? 'tessera.secrets.json',
  )
  switch (options.action) {
    case 'keygen':
      output.info(generateSecretsKey())
      return 0
    case 'list': {
      for (const name of await listEncryptedSecrets(file)) output.info(name)
      return 0
    }
    case 'set': {
      const name = options.name
      if (typeof name !== 'string' || !secretName.test(name)) {
        throw new InvalidArgumentError({
          fn: 'tessera secrets set',
          argument: 'NAME',
          expected:
            'a secret name: letters, digits, "_", ".", "/", "#" or "-", at most 200 characters',
          received: name,
        })
      }
      let value: string
      if (options.fromEnv !== undefined) {
        const read = env[options.fromEnv]
        if (read === undefined) {
          throw new InvalidArgumentError({
            fn: 'tessera secrets set',
            argument: '--from-env',
            expected: `the name of a set environment variable ("${options.fromEnv}" is not set)`,
            received: options.fromEnv,
          })
        }
        value = read
      } else {
        value = (await readAll(options.stdin ?? process.stdin)).replace(/\r?\n$/, '')
      }
      if (value === '') {
        throw new InvalidArgumentError({
          fn: 'tessera secrets set',
          argument: 'value',
          expected: 'a value on standard input or in --from-env VAR',
          received: '(empty)',
        })
      }
      // From the process's environment, the provider reads the key itself (and names the variable).
      const key = options.env === undefined ? undefined : env.TESSERA_SECRETS_KEY
      await writeEncryptedSecrets(
        { path: file, ...(key !== undefined ? { key } : {}) },
        { set: { [name]: value } },
      )
      output.info(`tessera secrets: set ${name} in ${file}`)
      return 0
    }
    default:
      throw new InvalidArgumentError({
        fn: 'tessera secrets',
        argument: 'action',
        expected: 'set, list or keygen',
        received: options.action,
      })
  }
}

async function readAll(stream: AsyncIterable<Uint8Array | string>): Promise<string> {
  const decoder = new TextDecoder()
  let text = ''
  for await (const chunk of stream)
    text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })
  return text + decoder.decode()
}
