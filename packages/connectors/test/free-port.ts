import { createServer } from 'node:net'

/**
 * A loopback port that nothing listens on (bound once, then released): connecting to it is
 * refused, which is how the tests reach a `network` failure without a remote host.
 *
 * @example
 * ```ts
 * const port = await freePort()
 * await expect(run('send', input, { config: { baseUrl: `http://127.0.0.1:${port}` } })).rejects.toMatchObject({ reason: 'network' })
 * ```
 */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}
