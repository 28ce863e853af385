import { defineConfig } from 'vitest/config'

// One runner for the whole repo. Packages import each other through their public entry points,
// resolved to source here so tests never run against a stale build.
const alias = {
  '@tessera/core/definition': new URL('./packages/core/src/definition/index.ts', import.meta.url).pathname,
  '@tessera/core/testing': new URL('./packages/core/src/testing/index.ts', import.meta.url).pathname,
  '@tessera/core/node': new URL('./packages/core/src/node/index.ts', import.meta.url).pathname,
  '@tessera/core': new URL('./packages/core/src/index.ts', import.meta.url).pathname,
}

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
          typecheck: { enabled: true, include: ['packages/*/src/**/*.test-d.ts'], tsconfig: './packages/core/tsconfig.json' },
        },
      },
    ],
  },
})
