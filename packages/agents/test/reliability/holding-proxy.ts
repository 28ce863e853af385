import type { IncomingMessage, ServerResponse } from 'node:http'
import { listenLocally } from '../wire/listen-locally'

/**
 * A local HTTP proxy in front of a wire server, for rate-limit tests: it sees every request the
 * SDK sends, counts those in flight (arrived and not yet answered), records when each arrived,
 * and, while `holding`, keeps requests waiting until the test releases them.
 */
export interface HoldingProxy {
  /** The wire server's URL with the proxy's origin: give it to the SDK. */
  readonly url: string
  readonly inFlight: number
  readonly maxInFlight: number
  /** Arrival times (`performance.now()`), oldest first. */
  readonly arrivals: readonly number[]
  /** Requests waiting for `release`. */
  readonly held: number
  /** Forwards the `count` oldest held requests (all by default). */
  release(count?: number): void
  /** Whether new requests are held (default true). */
  holding: boolean
  close(): Promise<void>
}

export async function createHoldingProxy(targetUrl: string): Promise<HoldingProxy> {
  const target = new URL(targetUrl)
  const waiting: (() => void)[] = []
  const arrivals: number[] = []
  let inFlight = 0
  let maxInFlight = 0

  const forward = async (request: IncomingMessage, body: Buffer, response: ServerResponse) => {
    try {
      const headers = new Headers()
      for (const [name, value] of Object.entries(request.headers)) {
        if (name === 'host' || name === 'connection' || value === undefined) continue
        headers.set(name, Array.isArray(value) ? value.join(', ') : value)
      }
      const answer = await fetch(new URL(request.url ?? '/', target.origin), {
        method: request.method,
        headers,
        body: body.length > 0 ? new Uint8Array(body) : undefined,
      })
      const replyHeaders: Record<string, string> = {}
      answer.headers.forEach((value, name) => {
        if (
          !['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(name)
        ) {
          replyHeaders[name] = value
        }
      })
      response.writeHead(answer.status, replyHeaders)
      const reader = answer.body?.getReader()
      for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader!.read()) {
        response.write(chunk.value)
      }
      response.end()
    } catch {
      response.destroy()
    }
  }

  const local = await listenLocally((request, response) => {
    arrivals.push(performance.now())
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    response.on('close', () => inFlight--)
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const go = () => void forward(request, Buffer.concat(chunks), response)
      if (proxy.holding) waiting.push(go)
      else go()
    })
  })

  const proxy: HoldingProxy = {
    url: `${local.origin}${target.pathname === '/' ? '' : target.pathname}`,
    get inFlight() {
      return inFlight
    },
    get maxInFlight() {
      return maxInFlight
    },
    arrivals,
    get held() {
      return waiting.length
    },
    release(count = waiting.length) {
      for (const go of waiting.splice(0, count)) go()
    },
    holding: true,
    close: local.close,
  }
  return proxy
}
