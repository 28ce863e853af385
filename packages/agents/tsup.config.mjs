import { createTsupConfig } from '../../scripts/tsup-config.mjs'

export const entry = {
  index: 'src/index.ts',
}

export default createTsupConfig({ entry, external: ['@tessera/core'] })
