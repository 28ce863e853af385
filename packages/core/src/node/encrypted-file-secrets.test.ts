import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SecretsError } from './index'
import {
  encryptedFileSecrets,
  generateSecretsKey,
  listEncryptedSecrets,
  writeEncryptedSecrets,
} from './index'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-secrets-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const failureOf = async (promise: Promise<unknown>): Promise<SecretsError> => {
  try {
    await promise
  } catch (error) {
    expect(SecretsError.isInstance(error), String(error)).toBe(true)
    return error as SecretsError
  }
  throw new Error('expected a SecretsError')
}

describe('encrypted file secrets', () => {
  it('round-trips values; names are listed in clear, values are not in the file', async () => {
    const path = join(dir, 'round-trip.json')
    const key = generateSecretsKey()
    expect(Buffer.from(key, 'base64')).toHaveLength(32)
    await writeEncryptedSecrets(
      { path, key },
      { set: { SLACK_TOKEN: 'xoxb-1234', 'db/password': 'pä55' } },
    )
    const text = await readFile(path, 'utf8')
    expect(text).not.toContain('xoxb-1234')
    expect(JSON.parse(text)).toMatchObject({
      format: 'tessera-secrets',
      version: 1,
      algorithm: 'aes-256-gcm',
    })
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect(await listEncryptedSecrets(path)).toEqual(['SLACK_TOKEN', 'db/password'])
    const secrets = encryptedFileSecrets({ path, key })
    expect(await secrets.get('SLACK_TOKEN')).toBe('xoxb-1234')
    expect(await secrets.get('db/password')).toBe('pä55')
    expect(await secrets.get('NOPE')).toBeUndefined()
    // A missing file has no secrets.
    expect(
      await encryptedFileSecrets({ path: join(dir, 'none.json'), key }).get('X'),
    ).toBeUndefined()
  })

  it('reads the key from TESSERA_SECRETS_KEY and sees a rewritten file', async () => {
    const path = join(dir, 'reload.json')
    const key = generateSecretsKey()
    process.env.TESSERA_SECRETS_KEY = key
    try {
      await writeEncryptedSecrets({ path }, { set: { TOKEN: 'one' } })
      const secrets = encryptedFileSecrets({ path })
      expect(await secrets.get('TOKEN')).toBe('one')
      await writeEncryptedSecrets({ path }, { set: { TOKEN: 'two-rotated' } })
      // Same second on coarse file systems: the size differs, and we also move the mtime.
      const later = new Date(Date.now() + 5000)
      await utimes(path, later, later)
      expect(await secrets.get('TOKEN')).toBe('two-rotated')
      await writeEncryptedSecrets({ path }, { remove: ['TOKEN'] })
      const latest = new Date(Date.now() + 10000)
      await utimes(path, latest, latest)
      expect(await secrets.get('TOKEN')).toBeUndefined()
    } finally {
      delete process.env.TESSERA_SECRETS_KEY
    }
  })

  it('a wrong key, a tampered entry, a moved entry and a bad key are typed errors that never echo the key', async () => {
    const path = join(dir, 'errors.json')
    const key = generateSecretsKey()
    await writeEncryptedSecrets({ path, key }, { set: { A: 'alpha-value', B: 'beta-value' } })
    const other = generateSecretsKey()
    const wrong = await failureOf(encryptedFileSecrets({ path, key: other }).get('A'))
    expect(wrong.reason).toBe('wrong-key')
    expect(wrong.message).not.toContain(other)
    expect(
      (await failureOf(writeEncryptedSecrets({ path, key: other }, { set: { C: 'x' } }))).reason,
    ).toBe('wrong-key')

    const file = JSON.parse(await readFile(path, 'utf8'))
    const data = Buffer.from(file.secrets.A.data, 'base64')
    data[0] = data[0]! ^ 1
    file.secrets.A.data = data.toString('base64')
    file.secrets.C = file.secrets.B
    await writeFile(path, JSON.stringify(file))
    const secrets = encryptedFileSecrets({ path, key })
    expect((await failureOf(secrets.get('A'))).reason).toBe('tampered')
    expect((await failureOf(secrets.get('C'))).reason).toBe('tampered')
    expect(await secrets.get('B')).toBe('beta-value')

    const short = await failureOf(encryptedFileSecrets({ path, key: 'c2hvcnQ=' }).get('B'))
    expect(short.reason).toBe('invalid-key')
    expect(short.message).toContain('decodes to 5 bytes')
    expect(short.message).not.toContain('c2hvcnQ=')
    expect((await failureOf(encryptedFileSecrets({ path }).get('B'))).message).toContain(
      'TESSERA_SECRETS_KEY',
    )

    await writeFile(path, '{"format":"something-else"}')
    expect((await failureOf(encryptedFileSecrets({ path, key }).get('B'))).reason).toBe('tampered')
  })
})
