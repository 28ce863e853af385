import { once } from 'node:events'
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node'
import { jetstreamManager } from '@nats-io/jetstream'
import { afterAll, beforeAll } from 'vitest'
import { describeConnectorConformance } from '@tessera/core/testing'
import { eventually, nodeSync } from '../../test/consumer-kit'
import { requireService, whenUp } from '../../test/services'
import { closeNatsConnections, natsConnector } from './index'
import { freePort } from '../../test/free-port'

// The connector conformance suite on a nats-server of its own (token auth, JetStream), started
// here on a free port. The token is the secret. jetstream-publish is the call; the Nats-Msg-Id
// the stream stored is read back from a child process. A request to a subscriber that never
// answers is the slow call.

const token = `conformance-${randomUUID()}`
const storeDir = mkdtempSync(join(tmpdir(), 'tessera-nats-'))
let server: ChildProcess | undefined
let servers = ''
let admin: NatsConnection | undefined
let silent: Subscription | undefined
let held = 0

const up = await requireService('nats-server (binary)', 'nats-server on a free port', async () => {
  const port = await freePort()
  servers = `nats://127.0.0.1:${port}`
  server = spawn(
    'nats-server',
    ['-a', '127.0.0.1', '-p', String(port), '--auth', token, '-js', '-sd', storeDir],
    {
      stdio: 'ignore',
    },
  )
  await eventually(
    'nats-server to listen',
    () =>
      connect({ servers, token, timeout: 500 }).then(
        (connection) => connection.close().then(() => true),
        () => false,
      ),
    10_000,
  )
})

beforeAll(async () => {
  if (!up) return
  admin = await connect({ servers, token })
  const jsm = await jetstreamManager(admin)
  await jsm.streams.add({ name: 'CONFORMANCE', subjects: ['conformance.>'] })
  silent = admin.subscribe('silent.request')
  void (async () => {
    for await (const _message of silent!) held++
  })()
  await admin.flush()
})

afterAll(async () => {
  await closeNatsConnections()
  await admin?.close()
  // The server writes its JetStream files until it exits: remove them after that, not during.
  if (server && server.exitCode === null && server.signalCode === null) {
    const exited = once(server, 'exit')
    server.kill()
    await exited
  }
  rmSync(storeDir, { recursive: true, force: true })
})

whenUp(up, 'the nats-server binary', () =>
  describeConnectorConformance({
    connector: natsConnector,
    config: () => ({ servers, token: { $secret: 'NATS_TOKEN' } }),
    secrets: { NATS_TOKEN: token },
    action: { name: 'jetstream-publish', input: { subject: 'conformance.events', data: { n: 1 } } },
    unreachable: () => ({
      servers: 'nats://127.0.0.1:1',
      token: { $secret: 'NATS_TOKEN' },
      connectTimeoutMs: 1_000,
    }),
    rejectedSecrets: { NATS_TOKEN: 'conformance-wrong-token' },
    slow: () => {
      const before = held
      return {
        name: 'request',
        input: { subject: 'silent.request', data: 1, timeoutMs: 60_000 },
        inFlight: () => held > before,
      }
    },
    idempotency: {
      lastReceived: () =>
        nodeSync(`
          import { connect } from '@nats-io/transport-node'
          import { jetstreamManager } from '@nats-io/jetstream'
          const connection = await connect({ servers: ${JSON.stringify(servers)}, token: ${JSON.stringify(token)} })
          const jsm = await jetstreamManager(connection)
          const message = await jsm.streams.getMessage('CONFORMANCE', { last_by_subj: 'conformance.events' }).catch(() => null)
          console.log(message?.header?.get('Nats-Msg-Id') ?? '')
          await connection.close()
        `) || undefined,
    },
  }),
)
