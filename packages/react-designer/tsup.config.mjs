import { copyFile } from 'node:fs/promises'
import { createTsupConfig } from '../../scripts/tsup-config.mjs'

export const entry = {
  index: 'src/index.ts',
}

/** Non-JS files the package exports, copied to dist after the build (checked by scripts/check-exports.mjs). */
export const extraExports = {
  './style.css': './dist/style.css',
}

const config = createTsupConfig({
  entry,
  platform: 'browser',
  external: ['react', 'react-dom', 'react/jsx-runtime', '@tessera/core'],
  banner: { js: '"use client";' },
})

export default {
  ...config,
  // Keep the '"use client"' banner a directive, first in every file: tsup's extra rollup
  // tree-shaking pass drops directives, and its CJS code splitting puts helpers above them.
  // esbuild still tree-shakes, and one entry needs no shared chunks.
  treeshake: false,
  splitting: false,
  async onSuccess() {
    await copyFile(
      new URL('./src/style.css', import.meta.url),
      new URL('./dist/style.css', import.meta.url),
    )
  },
}
