import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'
import { describeConnectorConformance } from '@tessera/core/testing'
import { startMcpHttpFixture } from '../../test/fakes/mcp-fixture'
import { uniqueName } from '../../test/services'
import { createMcpConnector } from './create-mcp-connector'

// The connector conformance suite on the MCP connector over Streamable HTTP, against the real
// fixture MCP server in a child process. The authorization header is the secret; the server logs
// each tools/call's _meta idempotency key (and the slow tool's start and cancellation) to a file
// the suite reads, and answers HTTP 503 once when asked to fail.

const token = 'mcp-conformance-secret'
const logPath = join(tmpdir(), `${uniqueName('mcp-conformance')}.jsonl`)
const server = await startMcpHttpFixture(token, { logPath })
const connector = await createMcpConnector({
  id: 'mcp-fixture',
  transport: { type: 'http', url: server.url, headers: { authorization: `Bearer ${token}` } },
})
afterAll(async () => {
  await connector.close()
  await server.stop()
  rmSync(logPath, { force: true })
  rmSync(`${logPath}.fail`, { force: true })
})

const entries = (): { event: string; key?: string }[] =>
  existsSync(logPath)
    ? readFileSync(logPath, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as { event: string; key?: string })
    : []
const count = (event: string) => entries().filter((entry) => entry.event === event).length

const config = () => ({ headers: { authorization: { $secret: 'MCP_AUTHORIZATION' } } })

describeConnectorConformance({
  connector,
  config,
  secrets: { MCP_AUTHORIZATION: `Bearer ${token}` },
  action: { name: 'echo', input: { message: 'conformance' } },
  unreachable: () => ({ ...config(), url: 'http://127.0.0.1:1/mcp' }),
  rejectedSecrets: { MCP_AUTHORIZATION: 'Bearer mcp-conformance-wrong' },
  slow: () => {
    const started = count('slow-start')
    const cancelled = count('slow-cancelled')
    return {
      name: 'slow',
      input: {},
      inFlight: () => count('slow-start') > started,
      released: () => count('slow-cancelled') > cancelled,
    }
  },
  idempotency: {
    lastReceived: () => entries().findLast((entry) => entry.event === 'call')?.key,
    failNext: () => writeFileSync(`${logPath}.fail`, ''),
  },
})
