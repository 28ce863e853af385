import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { readFile, rename, stat, writeFile } from 'node:fs/promises'
import process from 'node:process'
import { SecretsError } from '../errors/secrets-error'
import type { SecretsProviderV1 } from '../ports/secrets-provider-v1'

const provider = 'encrypted-file'

/** The environment variable {@link encryptedFileSecrets} reads the key from by default. */
export const secretsKeyVariable = 'TESSERA_SECRETS_KEY'

/**
 * The encrypted secrets file, version 1. Names are in clear (they are in definitions anyway);
 * each value is sealed on its own with AES-256-GCM under a fresh 12-byte IV, with the name as
 * additional authenticated data, so an entry moved to another name does not decrypt. `keyId` is
 * the first 16 hex digits of SHA-256 over the key: it tells a wrong key from a tampered entry
 * and reveals nothing usable about the key.
 */
interface SecretsFileV1 {
  format: 'tessera-secrets'
  version: 1
  algorithm: 'aes-256-gcm'
  keyId: string
  secrets: Record<string, { iv: string; tag: string; data: string }>
}

/** Options of {@link encryptedFileSecrets} and {@link writeEncryptedSecrets}. */
export interface EncryptedFileSecretsOptions {
  /** The secrets file (JSON, see docs/secrets.md). */
  path: string
  /**
   * The key: 32 bytes, base64 (`tessera secrets keygen` makes one). Default: the
   * `TESSERA_SECRETS_KEY` environment variable.
   */
  key?: string
}

/**
 * A secrets provider over a file of AES-256-GCM encrypted values, written by
 * `tessera secrets set` or {@link writeEncryptedSecrets}. The file is read again when its
 * modification time or size changes, so a host picks up rotated secrets without a restart.
 * A wrong key, a tampered entry or an unreadable file throws a {@link SecretsError} (the key is
 * never in a message); a name the file does not have is `undefined`.
 *
 * @example
 * ```ts
 * // TESSERA_SECRETS_KEY=$(tessera secrets keygen) in the environment
 * const engine = createEngine({ secrets: encryptedFileSecrets({ path: './secrets.enc.json' }) })
 * ```
 */
export function encryptedFileSecrets(options: EncryptedFileSecretsOptions): SecretsProviderV1 {
  const path = checkPath('encryptedFileSecrets', options?.path)
  let loaded: { mtimeMs: number; size: number; file: SecretsFileV1 } | undefined
  let key: Buffer | undefined
  const load = async (): Promise<SecretsFileV1 | undefined> => {
    let info
    try {
      info = await stat(path)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw unreadable(path, error)
    }
    if (loaded && loaded.mtimeMs === info.mtimeMs && loaded.size === info.size) return loaded.file
    const file = await readSecretsFile(path)
    key ??= decodeKey(options.key)
    if (file && file.keyId !== keyIdOf(key)) throw wrongKey(path)
    if (file) loaded = { mtimeMs: info.mtimeMs, size: info.size, file }
    return file
  }
  return {
    specificationVersion: 'v1',
    provider,
    get: async (name) => {
      const file = await load()
      const entry = file && Object.hasOwn(file.secrets, name) ? file.secrets[name] : undefined
      if (entry === undefined) return undefined
      return open(entry, name, key!, path)
    },
  }
}

/**
 * Sets (and removes) secrets in an encrypted secrets file, creating it when it does not exist.
 * The file is replaced atomically (written beside it, then renamed) with mode 0600. Existing
 * entries must have been written with the same key.
 *
 * @example
 * ```ts
 * await writeEncryptedSecrets({ path: './secrets.enc.json' }, { set: { SLACK_TOKEN: 'xoxb-…' } })
 * ```
 */
export async function writeEncryptedSecrets(
  options: EncryptedFileSecretsOptions,
  changes: { set?: Readonly<Record<string, string>>; remove?: readonly string[] },
): Promise<{ names: string[] }> {
  const path = checkPath('writeEncryptedSecrets', options?.path)
  const key = decodeKey(options.key)
  const keyId = keyIdOf(key)
  const file: SecretsFileV1 = (await readSecretsFile(path)) ?? {
    format: 'tessera-secrets',
    version: 1,
    algorithm: 'aes-256-gcm',
    keyId,
    secrets: {},
  }
  if (file.keyId !== keyId) throw wrongKey(path)
  for (const name of changes.remove ?? []) delete file.secrets[name]
  for (const [name, value] of Object.entries(changes.set ?? {})) {
    if (typeof value !== 'string')
      throw new SecretsError({
        provider,
        reason: 'unreadable',
        message: `the value of "${name}" must be a string`,
      })
    file.secrets[name] = seal(value, name, key)
  }
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 })
  await rename(temporary, path)
  return { names: Object.keys(file.secrets).sort() }
}

/**
 * The names in an encrypted secrets file (no key needed: names are not encrypted).
 *
 * @example
 * ```ts
 * await listEncryptedSecrets('./secrets.enc.json') // ['GITHUB_TOKEN', 'SLACK_TOKEN']
 * ```
 */
export async function listEncryptedSecrets(path: string): Promise<string[]> {
  const file = await readSecretsFile(checkPath('listEncryptedSecrets', path))
  return file ? Object.keys(file.secrets).sort() : []
}

/**
 * A new random key for an encrypted secrets file: 32 bytes, base64.
 *
 * @example
 * ```ts
 * process.env.TESSERA_SECRETS_KEY = generateSecretsKey()
 * ```
 */
export function generateSecretsKey(): string {
  return randomBytes(32).toString('base64')
}

function checkPath(fn: string, path: unknown): string {
  if (typeof path !== 'string' || path === '')
    throw new SecretsError({
      provider,
      reason: 'unreadable',
      message: `${fn}: \`path\` must be the path of the secrets file`,
    })
  return path
}

function decodeKey(given: string | undefined): Buffer {
  const text = given ?? process.env[secretsKeyVariable]
  const source = given === undefined ? `the ${secretsKeyVariable} environment variable` : '`key`'
  if (text === undefined || text.trim() === '')
    throw new SecretsError({
      provider,
      reason: 'invalid-key',
      message: `no key: set ${source} to 32 bytes in base64 (tessera secrets keygen makes one)`,
    })
  const trimmed = text.trim()
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : undefined
  if (bytes === undefined || bytes.length !== 32)
    throw new SecretsError({
      provider,
      reason: 'invalid-key',
      message: `${source} must be 32 bytes in base64 (44 characters; tessera secrets keygen makes one), but it ${
        bytes === undefined ? 'is not base64' : `decodes to ${bytes.length} bytes`
      }`,
    })
  return bytes
}

function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16)
}

function seal(value: string, name: string, key: Buffer) {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(name, 'utf8'))
  const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()])
  return {
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  }
}

function open(
  entry: { iv: string; tag: string; data: string },
  name: string,
  key: Buffer,
  path: string,
) {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(entry.iv, 'base64'))
    decipher.setAAD(Buffer.from(name, 'utf8'))
    decipher.setAuthTag(Buffer.from(entry.tag, 'base64'))
    return Buffer.concat([
      decipher.update(Buffer.from(entry.data, 'base64')),
      decipher.final(),
    ]).toString('utf8')
  } catch (error) {
    throw new SecretsError({
      provider,
      reason: 'tampered',
      message: `the entry "${name}" in ${path} does not authenticate: the file was changed outside Tessera (write the secret again with tessera secrets set)`,
      cause: error instanceof Error ? new Error(error.message) : undefined,
    })
  }
}

async function readSecretsFile(path: string): Promise<SecretsFileV1 | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw unreadable(path, error)
  }
  let file: Partial<SecretsFileV1>
  try {
    file = JSON.parse(text) as Partial<SecretsFileV1>
  } catch (error) {
    throw unreadable(path, error)
  }
  const entries = file?.secrets
  const valid =
    file?.format === 'tessera-secrets' &&
    file.version === 1 &&
    file.algorithm === 'aes-256-gcm' &&
    typeof file.keyId === 'string' &&
    typeof entries === 'object' &&
    entries !== null &&
    Object.values(entries).every(
      (entry) =>
        typeof entry?.iv === 'string' &&
        typeof entry.tag === 'string' &&
        typeof entry.data === 'string',
    )
  if (!valid)
    throw new SecretsError({
      provider,
      reason: file?.format === 'tessera-secrets' && file.version !== 1 ? 'unreadable' : 'tampered',
      message:
        file?.format === 'tessera-secrets' && file.version !== 1
          ? `${path} is a secrets file of version ${String(file.version)}; this Tessera reads version 1`
          : `${path} is not a Tessera secrets file of version 1 (format, version, algorithm, keyId and secrets with iv, tag and data)`,
    })
  return file as SecretsFileV1
}

function unreadable(path: string, error: unknown) {
  return new SecretsError({
    provider,
    reason: 'unreadable',
    message: `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`,
    cause: error,
  })
}

function wrongKey(path: string) {
  return new SecretsError({
    provider,
    reason: 'wrong-key',
    message: `the key is not the one ${path} was written with (its key id differs); check ${secretsKeyVariable}`,
  })
}
