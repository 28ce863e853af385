import { createTsupConfig } from '../../scripts/tsup-config.mjs'

export const entry = {
  index: 'src/index.ts',
}

export default createTsupConfig({
  entry,
  platform: 'node',
  external: ['@tessera/core', 'fastify', 'fastify-plugin'],
})
