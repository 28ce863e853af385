// Builds examples/designer-host with Vite (packages resolved to their sources, so the browser
// tests never run a stale build) and serves the result from a local node:http server.
import { createServer, type Server } from 'node:http'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { extname, join, normalize } from 'node:path'
import { build } from 'vite'

const repository = new URL('../../../../', import.meta.url).pathname
const hostRoot = join(repository, 'examples/designer-host')
const source = (path: string) => join(repository, path)

/** The host page's packages, resolved to source (subpaths before their package). */
const alias = [
  {
    find: /^@tessera\/core\/definition$/,
    replacement: source('packages/core/src/definition/index.ts'),
  },
  { find: /^@tessera\/core$/, replacement: source('packages/core/src/index.ts') },
  {
    find: /^@tessera\/react-designer\/style\.css$/,
    replacement: source('packages/react-designer/src/style.css'),
  },
  {
    find: /^@tessera\/react-designer$/,
    replacement: source('packages/react-designer/src/index.ts'),
  },
]

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
}

/**
 * The Content Security Policy the server sends with the page when its URL asks for
 * `?csp=strict`: scripts from the page's own origin only, so no `eval` / `new Function`
 * (no `'unsafe-eval'`) and no inline scripts.
 */
export const strictContentSecurityPolicy = "script-src 'self'; object-src 'none'; base-uri 'none'"

/** The built host page, served on a loopback port. */
export interface HostApp {
  url: string
  close(): Promise<void>
}

/**
 * Builds the host page into a temporary folder and serves it on 127.0.0.1 (a free port). The
 * page at `?csp=strict` comes with {@link strictContentSecurityPolicy}.
 *
 * @example
 * ```ts
 * const host = await startHostApp()
 * await page.goto(host.url)
 * ```
 */
export async function startHostApp(): Promise<HostApp> {
  const outDir = await mkdtemp(join(tmpdir(), 'tessera-designer-host-'))
  // vitest sets NODE_ENV=test; the page is built as an application ships it (production React).
  // TESSERA_HOST_MODE=development builds it with React's development checks, to debug a failure.
  const environment = process.env.NODE_ENV
  process.env.NODE_ENV = process.env.TESSERA_HOST_MODE ?? 'production'
  try {
    await build({
      root: hostRoot,
      configFile: join(hostRoot, 'vite.config.ts'),
      mode: process.env.TESSERA_HOST_MODE ?? 'production',
      logLevel: 'error',
      resolve: { alias },
      build: { outDir, emptyOutDir: true, sourcemap: false },
    })
  } finally {
    process.env.NODE_ENV = environment
  }
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost')
    const path = url.pathname
    const file = normalize(join(outDir, path === '/' ? 'index.html' : path))
    if (!file.startsWith(outDir)) {
      response.writeHead(403).end()
      return
    }
    readFile(file).then(
      (body) => {
        response.writeHead(200, {
          'content-type': types[extname(file)] ?? 'application/octet-stream',
          ...(url.searchParams.get('csp') === 'strict'
            ? { 'content-security-policy': strictContentSecurityPolicy }
            : {}),
        })
        response.end(body)
      },
      () => response.writeHead(404).end('not found'),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}/`,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await rm(outDir, { recursive: true, force: true })
    },
  }
}
