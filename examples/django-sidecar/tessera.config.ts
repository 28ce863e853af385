// The sidecar's config: `tessera serve --config tessera.config.ts` serves this engine's HTTP API.
import { writeFile } from 'node:fs/promises'
import { createEngine } from '@tessera/core'
import { apiKeyAuth, createApiKeys } from '@tessera/core/http'
import { defineConfig } from '@tessera/core/node'
import { expenseApproval } from './src/expense-approval'

export default defineConfig({
  // The memory store keeps everything in the sidecar process; use a database store
  // (@tessera/connectors/postgres, /sqlite…) to keep runs across restarts.
  engine: ({ worker }) =>
    createEngine({ workflows: [expenseApproval], worker: worker ? {} : false }),
  http: async (engine) => {
    // Bootstrap: with TESSERA_KEY_FILE set, create an API key for the Django app and write the
    // token there (mode 0600). The store keeps only its SHA-256.
    const keyFile = process.env.TESSERA_KEY_FILE
    if (keyFile) {
      const { token } = await createApiKeys(engine.store).create({
        principalId: 'django',
        name: 'Django expenses app',
        roles: ['operator', 'approver'],
      })
      await writeFile(keyFile, token, { mode: 0o600 })
    }
    return { auth: [apiKeyAuth({ store: engine.store })] }
  },
})
