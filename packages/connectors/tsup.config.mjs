import { createTsupConfig } from '../../scripts/tsup-config.mjs'

export const entry = {
  index: 'src/index.ts',
  http: 'src/http/index.ts',
  sqlite: 'src/sqlite/index.ts',
  postgres: 'src/postgres/index.ts',
  mysql: 'src/mysql/index.ts',
  redis: 'src/redis/index.ts',
}

export default createTsupConfig({
  entry,
  external: ['@tessera/core', 'zod', 'better-sqlite3', 'pg', 'mysql2', 'ioredis'],
})
