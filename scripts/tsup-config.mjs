// The one build helper every package uses: ESM + CJS, .d.ts/.d.cts, sourcemaps.
// Each package's tsup.config.mjs exports its `entry` map, which is the single source of its
// package.json `exports` (scripts/check-exports.mjs verifies they agree).
import { defineConfig } from 'tsup'

/**
 * @param {{ entry: Record<string, string>, external?: string[], platform?: 'node' | 'browser' | 'neutral', banner?: Record<string, string> }} options
 */
export function createTsupConfig(options) {
  return defineConfig({
    entry: options.entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: true,
    // Rollup's tree-shaking pass drops a banner such as "use client": skip it when one is set.
    treeshake: !options.banner,
    target: 'es2022',
    platform: options.platform ?? 'neutral',
    external: options.external ?? [],
    banner: options.banner,
    outExtension({ format }) {
      return { js: format === 'cjs' ? '.cjs' : '.js' }
    },
  })
}
