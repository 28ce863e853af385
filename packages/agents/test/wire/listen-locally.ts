import { createServer, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A local HTTP server on a free port of 127.0.0.1. */
export interface LocalServer {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string
  /** Drops open connections (streams left hanging by a test) and stops listening. */
  close(): Promise<void>
}

/**
 * Serves `listener` on a free port of 127.0.0.1, for the vendor wire servers and proxies of the
 * tests.
 *
 * @example
 * ```ts
 * const local = await listenLocally((request, response) => response.end('ok'))
 * await fetch(local.origin)
 * await local.close()
 * ```
 */
export async function listenLocally(listener: RequestListener): Promise<LocalServer> {
  const server = createServer(listener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}
