// The HTTP conformance suite against the built `tessera serve` as a real process: its config
// (fixtures/conformance.config.ts) builds the suite's engine and handler options and writes the
// API tokens the suite uses to a file.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeHttpConformance, type HttpConformanceTokens } from '../../src/testing/index'
import { startTessera } from './run-tessera'

describeHttpConformance({
  name: 'tessera serve (sidecar process)',
  serve: async () => {
    const folder = mkdtempSync(join(tmpdir(), 'tessera-sidecar-'))
    const tokensFile = join(folder, 'tokens.json')
    const sidecar = startTessera(
      ['serve', '--config', 'conformance.config.ts', '--port', '0', '--host', '127.0.0.1'],
      { env: { TESSERA_TOKENS_FILE: tokensFile, TESSERA_BASE_PATH: '/v1' } },
    )
    const [, url] = await sidecar.waitForLine(/listening on (http:\/\/\S+)/)
    const tokens = JSON.parse(readFileSync(tokensFile, 'utf8')) as HttpConformanceTokens
    return {
      url: `${url}/v1`,
      tokens,
      close: async () => {
        const code = await sidecar.stop('SIGTERM')
        rmSync(folder, { recursive: true, force: true })
        if (code !== 0) throw new Error(`tessera serve exited with ${code}: ${sidecar.stderr()}`)
      },
    }
  },
})
