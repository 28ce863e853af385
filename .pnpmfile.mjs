// pnpm hooks for this workspace.
//
// Native dependencies (better-sqlite3, an optional peer of @tessera/connectors) compile with
// node-gyp, which needs the headers of the Node.js that runs it. Without a `nodedir` it downloads
// them from nodejs.org; machines that cannot reach it (CI, sandboxes) have the headers installed
// next to Node itself (`<prefix>/include/node`). Since v11 pnpm neither reads `nodedir` from
// .npmrc nor passes its settings to lifecycle scripts as npm_config_*, so the setting is handed
// to them here: an explicit npm_config_nodedir wins; otherwise the prefix of the running Node.js
// is used when its headers are there (else node-gyp downloads them as usual).
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

function localNodeDir() {
  const prefix = dirname(dirname(process.execPath))
  return existsSync(join(prefix, 'include', 'node', 'node_version.h')) ? prefix : undefined
}

export const hooks = {
  updateConfig(config) {
    const nodedir = process.env.npm_config_nodedir || localNodeDir()
    if (nodedir) config.extraEnv = { ...config.extraEnv, npm_config_nodedir: nodedir }
    return config
  },
}
