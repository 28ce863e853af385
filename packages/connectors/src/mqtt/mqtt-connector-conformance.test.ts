import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt from 'mqtt'
import { afterAll } from 'vitest'
import { describeConnectorConformance } from '@tessera/core/testing'
import { eventually, nodeSync } from '../../test/consumer-kit'
import { requireService, whenUp } from '../../test/services'
import { closeMqttConnections, mqttConnector } from './index'
import { freePort } from '../../test/free-port'

// The connector conformance suite on a Mosquitto of its own (a password file, no anonymous
// access), started here on a free port. The password is the secret. publish sends a retained
// message; a child process subscribes and reads its tessera-idempotency-key user property.
// A QoS 1 publish is acknowledged by the broker at once, so there is no slow call.

const password = `conformance-${randomUUID()}`
const dir = mkdtempSync(join(tmpdir(), 'tessera-mosquitto-'))
let broker: ChildProcess | undefined
let url = ''
const topic = `tessera/conformance/${randomUUID()}`

const up = await requireService('mosquitto (binary)', 'mosquitto on a free port', async () => {
  const port = await freePort()
  url = `mqtt://127.0.0.1:${port}`
  execFileSync('mosquitto_passwd', ['-b', '-c', join(dir, 'passwords'), 'tessera', password])
  // Started as root, mosquitto drops to its own user, which must read the (hashed) file.
  chmodSync(dir, 0o755)
  chmodSync(join(dir, 'passwords'), 0o644)
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    `listener ${port} 127.0.0.1\nallow_anonymous false\npassword_file ${join(dir, 'passwords')}\npersistence false\n`,
  )
  broker = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' })
  await eventually(
    'mosquitto to listen',
    () =>
      mqtt
        .connectAsync(
          url,
          { username: 'tessera', password, reconnectPeriod: 0, connectTimeout: 500 },
          false,
        )
        .then(
          (client) => client.endAsync().then(() => true),
          () => false,
        ),
    10_000,
  )
})

afterAll(async () => {
  await closeMqttConnections()
  broker?.kill()
  rmSync(dir, { recursive: true, force: true })
})

whenUp(up, 'the mosquitto binary', () =>
  describeConnectorConformance({
    connector: mqttConnector,
    config: () => ({ url, username: 'tessera', password: { $secret: 'MQTT_PASSWORD' } }),
    secrets: { MQTT_PASSWORD: password },
    action: { name: 'publish', input: { topic, payload: { n: 1 }, qos: 1, retain: true } },
    unreachable: () => ({
      url: 'mqtt://127.0.0.1:1',
      username: 'tessera',
      password: { $secret: 'MQTT_PASSWORD' },
      connectTimeoutMs: 1_000,
    }),
    slow: {
      unsupported: 'the broker acknowledges a QoS 1 publish at once; nothing stays in flight',
    },
    rejectedSecrets: { MQTT_PASSWORD: 'conformance-wrong-password' },
    idempotency: {
      lastReceived: () =>
        nodeSync(`
          import mqtt from 'mqtt'
          const client = await mqtt.connectAsync(${JSON.stringify(url)}, { protocolVersion: 5, username: 'tessera', password: ${JSON.stringify(password)} })
          const retained = new Promise((resolve) => {
            client.on('message', (_topic, _payload, packet) => resolve(packet.properties?.userProperties?.['tessera-idempotency-key'] ?? ''))
            setTimeout(() => resolve(''), 2000)
          })
          await client.subscribeAsync(${JSON.stringify(topic)}, { qos: 1 })
          console.log(await retained)
          await client.endAsync()
        `) || undefined,
    },
  }),
)
