import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createEngine, createWorkflow, defineConnector, mapSecrets, secretRef } from '../index'
import { encryptedFileSecrets } from '../node/index'
import type { CliOutput } from './cli-output'
import { preflightWorkflows } from './preflight-workflows'
import { runCli } from './run-cli'
import { secretsCommand } from './secrets-command'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-cli-secrets-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const captured = () => {
  const info: string[] = []
  const error: string[] = []
  const output: CliOutput = { info: (line) => info.push(line), error: (line) => error.push(line) }
  return { info, error, output }
}

async function* stdinOf(text: string) {
  yield new TextEncoder().encode(text)
}

describe('tessera secrets', () => {
  it('keygen, set from stdin or a variable, list: values are never printed', async () => {
    const keygen = captured()
    expect(await secretsCommand({ action: 'keygen', cwd: dir, output: keygen.output })).toBe(0)
    const key = keygen.info[0]!
    expect(Buffer.from(key, 'base64')).toHaveLength(32)
    const env = { TESSERA_SECRETS_KEY: key, FROM_VAR: 'ghp-from-variable' }
    const set = captured()
    await secretsCommand({
      action: 'set',
      name: 'SLACK_TOKEN',
      cwd: dir,
      output: set.output,
      stdin: stdinOf('xoxb-from-stdin\n'),
      env,
    })
    await secretsCommand({
      action: 'set',
      name: 'GITHUB_TOKEN',
      fromEnv: 'FROM_VAR',
      cwd: dir,
      output: set.output,
      env,
    })
    expect(set.info.join('\n')).not.toMatch(/xoxb-from-stdin|ghp-from-variable/)
    const path = join(dir, 'tessera.secrets.json')
    expect(await readFile(path, 'utf8')).not.toContain('xoxb-from-stdin')
    const secrets = encryptedFileSecrets({ path, key })
    expect(await secrets.get('SLACK_TOKEN')).toBe('xoxb-from-stdin')
    expect(await secrets.get('GITHUB_TOKEN')).toBe('ghp-from-variable')
    const list = captured()
    expect(
      await runCli(['secrets', 'list', '--file', path], {
        version: '0',
        cwd: dir,
        output: list.output,
      }),
    ).toBe(0)
    expect(list.info).toEqual(['GITHUB_TOKEN', 'SLACK_TOKEN'])
  })

  it('refuses a bad name, an unset variable, an empty value and a missing key', async () => {
    const out = captured()
    const base = { action: 'set', cwd: dir, output: out.output }
    await expect(secretsCommand({ ...base, name: 'bad name', env: {} })).rejects.toThrow(
      /secret name/,
    )
    await expect(secretsCommand({ ...base, name: 'X', fromEnv: 'NOPE', env: {} })).rejects.toThrow(
      /"NOPE" is not set/,
    )
    await expect(
      secretsCommand({ ...base, name: 'X', stdin: stdinOf(''), env: {} }),
    ).rejects.toThrow(/a value on standard input/)
    await expect(
      secretsCommand({ ...base, name: 'X', stdin: stdinOf('v'), env: {}, file: 'other.json' }),
    ).rejects.toThrow(/TESSERA_SECRETS_KEY/)
    const cli = captured()
    expect(
      await runCli(['secrets', 'rotate'], { version: '0', cwd: dir, output: cli.output }),
    ).toBe(1)
    expect(cli.error.join('\n')).toContain('set, list or keygen')
  })
})

describe('preflight at startup', () => {
  it('prints one line per problem, naming workflow, node, path and secret', async () => {
    const api = defineConnector({
      id: 'api',
      config: z.object({ token: secretRef() }).strict(),
      actions: { call: { input: z.unknown(), output: z.unknown(), run: async () => null } },
    })
    const workflow = createWorkflow({ id: 'uses-api', input: z.unknown() })
      .action(api, 'call', { token: { $secret: 'API_TOKEN' } })
      .commit()
    const missing = createEngine({ workflows: [workflow], secrets: mapSecrets({}) })
    const out = captured()
    expect(await preflightWorkflows('tessera worker', missing, out.output)).toBe(1)
    expect(out.error).toEqual([
      expect.stringMatching(
        /^tessera worker: workflow "uses-api", node "api.call" \(api\) config.token: secret "API_TOKEN"/,
      ),
    ])
    const fine = createEngine({ workflows: [workflow], secrets: mapSecrets({ API_TOKEN: 't' }) })
    expect(await preflightWorkflows('tessera worker', fine, captured().output)).toBe(0)
    await Promise.all([missing.close(), fine.close()])
  })
})
