import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngine, createMemoryStore, type Engine } from '../index'
import { createHttpHandler } from '../http'
import { toRawRequest } from './raw-request'
import { writeRawReply } from './write-raw-reply'

let engine: Engine
let dir: string
const servers: { close(): void }[] = []

beforeAll(() => {
  engine = createEngine({ store: createMemoryStore() })
  dir = mkdtempSync(join(tmpdir(), 'tessera-tls-'))
  // A self-signed certificate for localhost, made by Debian's openssl.
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  )
})

afterAll(async () => {
  for (const server of servers) server.close()
  rmSync(dir, { recursive: true, force: true })
  await engine.close()
})

function serve(request: IncomingMessage, response: ServerResponse, secure?: boolean) {
  const handler = createHttpHandler(engine, { auth: 'none-insecure' })
  void handler
    .handle(toRawRequest(request, { response, ...(secure !== undefined ? { secure } : {}) }))
    .then((reply) => writeRawReply(response, reply))
}

function listen(server: ReturnType<typeof createHttpServer>) {
  servers.push(server)
  return new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  )
}

describe('toRawRequest: secure', () => {
  it('is true on a TLS socket, so that the answer carries Strict-Transport-Security; false on plain HTTP', async () => {
    const tls = createHttpsServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (request, response) => serve(request, response),
    )
    const tlsPort = await listen(tls as unknown as ReturnType<typeof createHttpServer>)
    const hsts = await new Promise<string | undefined>((resolve, reject) => {
      httpsRequest(
        { host: '127.0.0.1', port: tlsPort, path: '/health', rejectUnauthorized: false },
        (response) => {
          response.resume()
          resolve(response.headers['strict-transport-security'])
        },
      )
        .on('error', reject)
        .end()
    })
    expect(hsts).toMatch(/^max-age=\d+/)

    const plainPort = await listen(
      createHttpServer((request, response) => serve(request, response)),
    )
    const plain = await fetch(`http://127.0.0.1:${plainPort}/health`)
    expect(plain.headers.get('strict-transport-security')).toBeNull()
    // The adapter's word wins: a framework that knows the request came through a TLS proxy.
    const told = await listen(
      createHttpServer((request, response) => serve(request, response, true)),
    )
    const proxied = await fetch(`http://127.0.0.1:${told}/health`)
    expect(proxied.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/)
  })
})
