import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import amqp from 'amqplib'
import { afterAll, beforeAll } from 'vitest'
import { describeConnectorConformance } from '@tessera/core/testing'
import { nodeSync } from '../../test/consumer-kit'
import { requireService, uniqueName, whenUp } from '../../test/services'
import { closeRabbitmqConnections, rabbitmqConnector } from './index'

// The connector conformance suite on the real RabbitMQ broker, as a user of its own (made with
// rabbitmqctl, deleted afterwards) whose password appears nowhere else. The password is the
// secret (host form of the config); a wrong password is the rejected credential; port 1 is the unreachable
// host. publish sends to a queue of the test's own; the message-id the broker holds is read back
// by draining that queue from a child process (the suite reads it synchronously). Publishing
// has no call the broker holds open, so no slow call.

const url = 'amqp://guest:guest@127.0.0.1:5672'
const user = uniqueName('tessera_conformance')
const password = `conformance-${randomUUID()}`
const up = await requireService('RabbitMQ (and rabbitmqctl)', '127.0.0.1:5672', async () => {
  const connection = await amqp.connect(url, { timeout: 3_000 })
  await connection.close()
  execFileSync('rabbitmqctl', ['add_user', user, password], { stdio: 'ignore', timeout: 60_000 })
  execFileSync('rabbitmqctl', ['set_permissions', '-p', '/', user, '.*', '.*', '.*'], {
    stdio: 'ignore',
    timeout: 60_000,
  })
})
const queue = uniqueName('tessera_conformance')
let lastMessageId: string | undefined

beforeAll(async () => {
  if (!up) return
  const connection = await amqp.connect(url)
  const channel = await connection.createChannel()
  await channel.assertQueue(queue, { durable: false })
  await connection.close()
})

afterAll(async () => {
  await closeRabbitmqConnections()
  if (!up) return
  const connection = await amqp.connect(url)
  const channel = await connection.createChannel()
  await channel.deleteQueue(queue)
  await connection.close()
  execFileSync('rabbitmqctl', ['delete_user', user], { stdio: 'ignore', timeout: 60_000 })
})

whenUp(up, 'RabbitMQ at 127.0.0.1:5672 (with rabbitmqctl)', () =>
  describeConnectorConformance({
    connector: rabbitmqConnector,
    config: () => ({ host: '127.0.0.1', username: user, password: { $secret: 'AMQP_PASSWORD' } }),
    secrets: { AMQP_PASSWORD: password },
    action: { name: 'publish', input: { exchange: '', routingKey: queue, message: { n: 1 } } },
    unreachable: () => ({
      host: '127.0.0.1',
      port: 1,
      username: user,
      password: { $secret: 'AMQP_PASSWORD' },
    }),
    slow: { unsupported: 'the broker confirms a publish at once; nothing stays in flight' },
    rejectedSecrets: { AMQP_PASSWORD: 'conformance-wrong-password' },
    idempotency: {
      lastReceived: () => {
        const drained = nodeSync(`
          import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import amqp from 'amqplib'
          const connection = await amqp.connect(${JSON.stringify(url)})
          const channel = await connection.createChannel()
          let last = ''
          for (;;) {
            const message = await channel.get(${JSON.stringify(queue)}, { noAck: true })
            if (message === false) break
            last = message.properties.messageId ?? ''
          }
          await connection.close()
          console.log(last)
        `)
        if (drained !== '') lastMessageId = drained
        return lastMessageId
      },
    },
  }),
)
