// serveCommand and workerCommand on a config that imports the built @tessera/core (build core first).
import { describe, expect, it } from 'vitest'
import { fixtures } from './run-tessera'
import type { CliOutput } from '../../src/cli/cli-output'
import { serveCommand } from '../../src/cli/serve-command'
import { workerCommand } from '../../src/cli/worker-command'

const captured = () => {
  const info: string[] = []
  const error: string[] = []
  const output: CliOutput = { info: (line) => info.push(line), error: (line) => error.push(line) }
  return { info, error, output }
}
const problem =
  /^tessera (worker|serve): workflow "notify", node "api.call" \(api\) config.token: secret "NOTIFY_TOKEN"/

describe('serve and worker preflight their workflows at startup', { timeout: 30_000 }, () => {
  it('worker: warns and runs; with --strict exits 1 before executing anything', async () => {
    const lenient = captured()
    const code = await workerCommand({
      config: 'missing-secret.config.ts',
      cwd: fixtures,
      output: lenient.output,
      stop: Promise.resolve('test'),
    })
    expect(code).toBe(0)
    expect(lenient.error).toEqual([expect.stringMatching(problem), expect.any(String)])
    expect(lenient.info.join('\n')).toContain('executing runs')

    const strict = captured()
    expect(
      await workerCommand({
        config: 'missing-secret.config.ts',
        strict: true,
        cwd: fixtures,
        output: strict.output,
        stop: new Promise(() => undefined),
      }),
    ).toBe(1)
    expect(strict.error[0]).toMatch(problem)
    expect(strict.info.join('\n')).not.toContain('executing runs')
  })

  it('serve --strict exits 1 before listening', async () => {
    const strict = captured()
    expect(
      await serveCommand({
        config: 'missing-secret.config.ts',
        port: 0,
        host: '127.0.0.1',
        worker: false,
        strict: true,
        cwd: fixtures,
        output: strict.output,
        stop: new Promise(() => undefined),
      }),
    ).toBe(1)
    expect(strict.error).toEqual([expect.stringMatching(problem)])
    expect(strict.info.join('\n')).not.toContain('listening')
  })
})
