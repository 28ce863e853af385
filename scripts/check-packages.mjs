// Checks every published package as a consumer would see it: publint (package.json and files)
// and attw ("are the types wrong?": types resolve under Node 16 ESM/CJS and bundlers).
import { spawnSync } from 'node:child_process'
import { gzipSync } from 'node:zlib'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
let failed = 0
for (const dir of readdirSync(join(root, 'packages'))) {
  const cwd = join(root, 'packages', dir)
  const manifest = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'))
  // Stylesheets are exports too, but have no types for attw to check.
  const stylesheets = Object.keys(manifest.exports ?? {}).filter((key) => key.endsWith('.css'))
  const exclude = stylesheets.length > 0 ? ['--exclude-entrypoints', ...stylesheets] : []
  for (const [tool, args] of [
    ['publint', ['publint', '--strict']],
    ['attw', ['attw', '--pack', '.', '--profile', 'node16', '--format', 'ascii', ...exclude]],
  ]) {
    const result = spawnSync('npx', args, { cwd, encoding: 'utf8' })
    if (result.status === 0) console.log(`ok      ${dir} (${tool})`)
    else {
      failed++
      console.error(`failed  ${dir} (${tool})\n${result.stdout}${result.stderr}`)
    }
  }
}
// Size budgets: the gzipped ESM main entry and the chunks it shares, as a bundler would ship them.
// Core grew from 29 kB to 41.5 kB with durable execution (waits, the inbox, the store transport,
// retry and retention, the memory store's packed history), then to 46.6 kB with the step journal
// (context.durable / context.approval) and the language-model error classes every provider
// throws; the budget keeps a margin, not a gap. Definitions brought it to 49 kB (expressions in
// the engine; asNode, namedFunction and expression() in the builder), and sequence()/single() (a
// nested chain where a step goes, so generated code covers the designer's nested shapes) to
// 49.5 kB: 50 kB. About 1.3 kB of it are the builder's method TSDoc, which the bundle keeps.
// The designer's budget measures our own code only (xyflow, elkjs and rjsf are dependencies the
// host bundles): 8 kB held the outline; the workflow designer (model layer, palette, canvas,
// properties form, history, layouts) and the run viewer bring it to about 23 kB; the CSP-safe
// JSON Schema form validator (no ajv, no new Function: +5 kB), connector action nodes and the
// large-graph rendering path to 29.8 kB: 32 kB. Core: connector action nodes (.action(), their
// plan compilation and schema) took it to 50.8 kB: 52 kB. The HTTP surface's store and error
// needs took it to 56.9 kB: keyed records in the port (their input checks, shared by every store,
// and the memory store's records, +2.9 kB), the 401/403/429 error classes that adapters map
// (+1 kB), and the memory store packing ended runs by default, which is what keeps 10,000 W1 runs
// under 80 MB (+1.2 kB); the handler itself is in ./http and not counted: 58 kB. Connectors and
// triggers (issue 7) add ConnectorError (moved from @tessera/connectors so third-party
// connectors and the engine share it), secret references, their resolution for action steps and
// agent tools, envSecrets/mapSecrets, ConnectorConfigError and the start-time secrets check, the
// trigger checks and retryAfterMs in retries (+5.9 kB); preflight, redaction and the triggers'
// engine side load on first use and are not counted: 65 kB. A fresh build of that code measures
// 64.93 kB; the 503 code for an identity provider that cannot be reached (issue 6) adds 51
// bytes, which left 21 bytes of margin: 66 kB.
const budgets = { core: 66_000, 'react-designer': 32_000 }
for (const [dir, budget] of Object.entries(budgets)) {
  const dist = join(root, 'packages', dir, 'dist')
  // The main entry and the chunks it imports, directly or through other chunks: chunks that only
  // other entries share (the HTTP surface between ./http, ./cli and ./testing) are not shipped
  // with the main entry.
  let size = 0
  const seen = new Set()
  const pending = ['index.js']
  while (pending.length > 0) {
    const file = pending.pop()
    if (seen.has(file)) continue
    seen.add(file)
    const code = readFileSync(join(dist, file))
    size += gzipSync(code).length
    for (const [, chunk] of code
      .toString('utf8')
      .matchAll(/(?:from|import)\s*["']\.\/(chunk-[\w-]+\.js)["']/g))
      pending.push(chunk)
  }
  const line = `${dir}: ${(size / 1000).toFixed(1)} kB gzipped (budget ${(budget / 1000).toFixed(1)} kB)`
  if (size <= budget) console.log(`ok      ${line}`)
  else {
    failed++
    console.error(`failed  ${line}`)
  }
}
if (failed > 0) process.exit(1)
