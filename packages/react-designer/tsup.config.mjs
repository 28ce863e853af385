import { readFile, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { createTsupConfig } from '../../scripts/tsup-config.mjs'

export const entry = {
  index: 'src/index.ts',
}

/** Non-JS files the package exports, copied to dist after the build (checked by scripts/check-exports.mjs). */
export const extraExports = {
  './style.css': './dist/style.css',
  './base.css': './dist/base.css',
}

const require = createRequire(import.meta.url)

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
  // The stylesheets start with @xyflow/react's (the canvas the designer draws on), so a host
  // imports one file: style.css with xyflow's default look, base.css with its structure only.
  async onSuccess() {
    const source = await readFile(new URL('./src/style.css', import.meta.url), 'utf8')
    const own = source.replace(/^@import '@xyflow\/react\/dist\/style\.css';\n/m, '')
    if (own.includes('@import'))
      throw new Error('src/style.css: an @import the build does not inline')
    for (const name of ['style.css', 'base.css']) {
      const xyflow = await readFile(require.resolve(`@xyflow/react/dist/${name}`), 'utf8')
      await writeFile(
        new URL(`./dist/${name}`, import.meta.url),
        `/* @xyflow/react ${name} (MIT) */\n${xyflow}\n${own}`,
      )
    }
  },
}
