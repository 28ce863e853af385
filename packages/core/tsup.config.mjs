import { createTsupConfig } from '../../scripts/tsup-config.mjs'

export const entry = {
  index: 'src/index.ts',
  definition: 'src/definition/index.ts',
  testing: 'src/testing/index.ts',
  node: 'src/node/index.ts',
  opentelemetry: 'src/opentelemetry/index.ts',
  // The HTTP surface: Web Fetch handler and raw entry, security built-ins (jose is its dependency).
  http: 'src/http/index.ts',
  // Node-only: the `tessera` command line (bin/tessera.js runs it).
  cli: 'src/cli/index.ts',
}

export default createTsupConfig({ entry, external: ['vitest', 'zod'] })
