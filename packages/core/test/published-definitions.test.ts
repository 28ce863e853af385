// Published definitions across engines on the memory store: one store object and one in-process
// queue shared by the engines. (The same suite runs on a SQLite file and PostgreSQL, a connection
// per engine, in @tessera/connectors: test/published-definitions.test.ts.)
import { createInProcessQueue, createMemoryStore } from '../src/index'
import { describePublishedDefinitions } from './published-definitions-suite'

describePublishedDefinitions('memory store, shared queue', async () => {
  const store = createMemoryStore()
  const queue = createInProcessQueue()
  return {
    connect: () => ({ store, queue }),
    async close() {
      await queue.close()
      await store.close()
    },
  }
})
