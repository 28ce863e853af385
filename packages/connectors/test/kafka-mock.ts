// Kafka for tests: TESSERA_KAFKA_BROKERS, else librdkafka's mock cluster started with the shared
// script (../shared/tools/kafka-mock/start from the repo root, else
// /work/shared/tools/kafka-mock/start), and a SASL/PLAIN front for it (the mock has no SASL).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { createServer, connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..')

/**
 * Brokers for a test file: `TESSERA_KAFKA_BROKERS`, else a mock cluster of one broker with
 * `topics` (`name:partitions`) created. `stop()` kills the mock it started.
 */
export function startKafka(topics: string[]): { brokers: string[]; stop: () => void } {
  if (process.env.TESSERA_KAFKA_BROKERS)
    return { brokers: process.env.TESSERA_KAFKA_BROKERS.split(','), stop: () => undefined }
  const script = [
    resolve(repoRoot, '../shared/tools/kafka-mock/start'),
    '/work/shared/tools/kafka-mock/start',
  ].find((candidate) => existsSync(candidate))
  if (script === undefined) throw new Error('the kafka-mock start script is missing')
  const dir = mkdtempSync(join(tmpdir(), 'kafka-mock-'))
  const output = execFileSync(script, ['1', ...topics], {
    env: { ...process.env, KAFKA_MOCK_DIR: dir },
    encoding: 'utf8',
    timeout: 300_000,
  })
  const pidFile = join(dir, 'pid')
  return {
    brokers: output.trim().split('\n').at(-1)!.split(','),
    stop: () => {
      if (existsSync(pidFile)) process.kill(Number(readFileSync(pidFile, 'utf8').trim()))
    },
  }
}

const apiVersionsKey = 18
const metadataKey = 3
const saslHandshakeKey = 17
const saslAuthenticateKey = 36

function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4)
  size.writeInt32BE(body.length)
  return Buffer.concat([size, body])
}

function frames(onFrame: (payload: Buffer) => void): (chunk: Buffer) => void {
  let buffered = Buffer.alloc(0)
  return (chunk) => {
    buffered = Buffer.concat([buffered, chunk])
    while (buffered.length >= 4) {
      const size = buffered.readInt32BE(0)
      if (buffered.length < 4 + size) return
      onFrame(buffered.subarray(4, 4 + size))
      buffered = buffered.subarray(4 + size)
    }
  }
}

/**
 * A SASL/PLAIN front for one mock broker: it answers SaslHandshake and SaslAuthenticate itself
 * (accepting only `username`/`password`), advertises them in ApiVersions, forwards every other
 * request once the client authenticated, and rewrites the broker port in Metadata answers so
 * clients keep coming through it. Enough for kafkajs producers (Metadata ≤ v8, non-flexible).
 */
export async function startSaslProxy(options: {
  upstream: string
  username: string
  password: string
}): Promise<{ broker: string; close: () => Promise<void> }> {
  const [upstreamHost, upstreamPort] = options.upstream.split(':') as [string, string]
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    sockets.add(client)
    const upstream = connect(Number(upstreamPort), upstreamHost)
    sockets.add(upstream)
    const pending = new Map<number, { key: number; version: number }>()
    let authenticated = false
    const end = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('error', end)
    upstream.on('error', end)
    client.on('close', end)
    upstream.on('close', end)

    client.on(
      'data',
      frames((request) => {
        const key = request.readInt16BE(0)
        const version = request.readInt16BE(2)
        const correlation = request.readInt32BE(4)
        const clientIdLength = request.readInt16BE(8)
        const bodyAt = 10 + Math.max(0, clientIdLength)
        const head = Buffer.alloc(4)
        head.writeInt32BE(correlation)
        if (key === saslHandshakeKey) {
          const name = Buffer.from('PLAIN')
          const body = Buffer.alloc(2 + 4 + 2 + name.length)
          body.writeInt16BE(0, 0)
          body.writeInt32BE(1, 2)
          body.writeInt16BE(name.length, 6)
          name.copy(body, 8)
          client.write(frame(Buffer.concat([head, body])))
          return
        }
        if (key === saslAuthenticateKey) {
          const length = request.readInt32BE(bodyAt)
          const [, user, pass] = request
            .subarray(bodyAt + 4, bodyAt + 4 + length)
            .toString('utf8')
            .split('\0')
          authenticated = user === options.username && pass === options.password
          const message = authenticated ? undefined : Buffer.from('Authentication failed')
          const body = Buffer.alloc(2 + 2 + (message?.length ?? 0) + 4 + (version >= 1 ? 8 : 0))
          body.writeInt16BE(authenticated ? 0 : 58, 0)
          body.writeInt16BE(message ? message.length : -1, 2)
          message?.copy(body, 4)
          client.write(frame(Buffer.concat([head, body])))
          return
        }
        if (!authenticated && key !== apiVersionsKey) {
          end()
          return
        }
        pending.set(correlation, { key, version })
        upstream.write(frame(request))
      }),
    )

    upstream.on(
      'data',
      frames((response) => {
        const correlation = response.readInt32BE(0)
        const request = pending.get(correlation)
        pending.delete(correlation)
        let out = response
        if (request?.key === apiVersionsKey && response.readInt16BE(4) === 0) {
          const count = response.readInt32BE(6)
          const entries: Buffer[] = []
          for (let index = 0; index < count; index++) {
            const entry = response.subarray(10 + index * 6, 16 + index * 6)
            const entryKey = entry.readInt16BE(0)
            if (entryKey !== saslHandshakeKey && entryKey !== saslAuthenticateKey)
              entries.push(entry)
          }
          for (const [entryKey, max] of [
            [saslHandshakeKey, 1],
            [saslAuthenticateKey, 1],
          ] as const) {
            const entry = Buffer.alloc(6)
            entry.writeInt16BE(entryKey, 0)
            entry.writeInt16BE(0, 2)
            entry.writeInt16BE(max, 4)
            entries.push(entry)
          }
          const countBuffer = Buffer.alloc(4)
          countBuffer.writeInt32BE(entries.length)
          out = Buffer.concat([
            response.subarray(0, 6),
            countBuffer,
            ...entries,
            response.subarray(10 + count * 6),
          ])
        } else if (request?.key === metadataKey) {
          out = Buffer.from(response)
          let at = 4 + (request.version >= 3 ? 4 : 0)
          const brokers = out.readInt32BE(at)
          at += 4
          for (let index = 0; index < brokers; index++) {
            at += 4
            at += 2 + out.readInt16BE(at)
            out.writeInt32BE(port, at)
            at += 4
            if (request.version >= 1) at += 2 + Math.max(0, out.readInt16BE(at))
          }
        }
        client.write(frame(out))
      }),
    )
  })
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen))
  const port = (server.address() as { port: number }).port
  return {
    broker: `127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolveClose) => server.close(resolveClose))
    },
  }
}
