import { createRequire } from 'node:module'
import { defineConfig } from 'vitest/config'

// One runner for the whole repo. Packages import each other through their public entry points,
// resolved to source here so tests never run against a stale build. Subpaths come before their
// package: an alias also matches everything under its key.
const source = (path: string) => new URL(path, import.meta.url).pathname
const alias = {
  '@tessera/core/definition': source('./packages/core/src/definition/index.ts'),
  '@tessera/core/testing': source('./packages/core/src/testing/index.ts'),
  '@tessera/core/node': source('./packages/core/src/node/index.ts'),
  '@tessera/core/opentelemetry': source('./packages/core/src/opentelemetry/index.ts'),
  '@tessera/core/http': source('./packages/core/src/http/index.ts'),
  '@tessera/core': source('./packages/core/src/index.ts'),
  '@tessera/agents/openai-compatible': source(
    './packages/agents/src/providers/openai-compatible/index.ts',
  ),
  '@tessera/agents/openai': source('./packages/agents/src/providers/openai/index.ts'),
  '@tessera/agents/anthropic': source('./packages/agents/src/providers/anthropic/index.ts'),
  '@tessera/agents/google': source('./packages/agents/src/providers/google/index.ts'),
  '@tessera/agents/llama-cpp': source('./packages/agents/src/providers/llama-cpp/index.ts'),
  '@tessera/agents': source('./packages/agents/src/index.ts'),
  '@tessera/connectors/http': source('./packages/connectors/src/http/index.ts'),
  '@tessera/connectors/sqlite': source('./packages/connectors/src/sqlite/index.ts'),
  '@tessera/connectors/postgres': source('./packages/connectors/src/postgres/index.ts'),
  '@tessera/connectors/mysql': source('./packages/connectors/src/mysql/index.ts'),
  '@tessera/connectors/redis': source('./packages/connectors/src/redis/index.ts'),
  '@tessera/connectors/openapi': source('./packages/connectors/src/openapi/index.ts'),
  '@tessera/connectors/graphql': source('./packages/connectors/src/graphql/index.ts'),
  '@tessera/connectors/webhook': source('./packages/connectors/src/webhook/index.ts'),
  '@tessera/connectors/slack': source('./packages/connectors/src/slack/index.ts'),
  '@tessera/connectors/teams': source('./packages/connectors/src/teams/index.ts'),
  '@tessera/connectors/smtp': source('./packages/connectors/src/smtp/index.ts'),
  '@tessera/connectors/sendgrid': source('./packages/connectors/src/sendgrid/index.ts'),
  '@tessera/connectors/twilio': source('./packages/connectors/src/twilio/index.ts'),
  '@tessera/connectors/s3': source('./packages/connectors/src/s3/index.ts'),
  '@tessera/connectors/rabbitmq': source('./packages/connectors/src/rabbitmq/index.ts'),
  '@tessera/connectors/kafka': source('./packages/connectors/src/kafka/index.ts'),
  '@tessera/connectors/nats': source('./packages/connectors/src/nats/index.ts'),
  '@tessera/connectors/mqtt': source('./packages/connectors/src/mqtt/index.ts'),
  '@tessera/connectors/github': source('./packages/connectors/src/github/index.ts'),
  '@tessera/connectors/jira': source('./packages/connectors/src/jira/index.ts'),
  '@tessera/connectors/hubspot': source('./packages/connectors/src/hubspot/index.ts'),
  '@tessera/connectors/mcp': source('./packages/connectors/src/mcp/index.ts'),
  '@tessera/connectors/vault': source('./packages/connectors/src/vault/index.ts'),
  '@tessera/connectors/triggers': source('./packages/connectors/src/triggers/index.ts'),
  '@tessera/connectors': source('./packages/connectors/src/index.ts'),
  '@tessera/express': source('./packages/adapters-express/src/index.ts'),
  '@tessera/fastify': source('./packages/adapters-fastify/src/index.ts'),
  '@tessera/react-designer': source('./packages/react-designer/src/index.ts'),
}

// React 18 for the designer's component tests (`jsdom-react18`): the npm aliases react-18 and
// react-dom-18 are dev dependencies of @tessera/react-designer. This alias rewrites what Vite
// transforms; packages/react-designer/test/react18/resolve-react-18.ts redirects what Node
// requires itself.
const designerRequire = createRequire(source('./packages/react-designer/package.json'))
const packageFolder = (name: string) =>
  designerRequire.resolve(`${name}/package.json`).replace(/package\.json$/, '')
const react18Alias = [
  { find: /^react$/, replacement: packageFolder('react-18') },
  { find: /^react\/(.*)$/, replacement: `${packageFolder('react-18')}$1` },
  { find: /^react-dom$/, replacement: packageFolder('react-dom-18') },
  { find: /^react-dom\/(.*)$/, replacement: `${packageFolder('react-dom-18')}$1` },
  ...Object.entries(alias).map(([find, replacement]) => ({ find, replacement })),
]

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'node',
          include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
          environment: 'node',
          typecheck: {
            enabled: true,
            include: ['packages/*/src/**/*.test-d.ts'],
            tsconfig: './packages/core/tsconfig.json',
          },
        },
      },
      {
        // The engine's runtime tests again, with a store that answers through promises on later
        // macrotasks (as stores doing I/O do): the synchronous fast path must not be the only
        // path that works.
        resolve: { alias },
        test: {
          name: 'core-async-store',
          include: [
            'packages/core/src/runtime/**/*.test.ts',
            'packages/core/src/telemetry/**/*.test.ts',
          ],
          environment: 'node',
          env: { TESSERA_TEST_STORE: 'async' },
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'jsdom',
          include: ['packages/react-designer/src/**/*.test.tsx'],
          environment: 'jsdom',
          setupFiles: ['packages/react-designer/test/setup-jsdom.ts'],
        },
      },
      {
        // The same component tests under React 18, the other major of the designer's peer range.
        resolve: { alias: react18Alias },
        test: {
          name: 'jsdom-react18',
          include: [
            'packages/react-designer/src/**/*.test.tsx',
            'packages/react-designer/test/react18/**/*.test.tsx',
          ],
          environment: 'jsdom',
          setupFiles: [
            'packages/react-designer/test/react18/resolve-react-18.ts',
            'packages/react-designer/test/setup-jsdom.ts',
          ],
          // ESM dependencies that import React run through Vite, so the alias reaches them.
          server: {
            deps: { inline: [/@xyflow[\\/]react/, /@rjsf[\\/]/, /zustand/, /markdown-to-jsx/] },
          },
        },
      },
    ],
  },
})
