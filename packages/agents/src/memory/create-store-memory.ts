import { InvalidArgumentError, type StoreV1 } from '@tessera/core'
import { isAgentMemory, type AgentMemory } from './agent-memory'

/**
 * An {@link AgentMemory} over a Tessera store that keeps conversation threads
 * (`capabilities.threads`): threads then live with the runs, in the same database. Throws
 * `InvalidArgumentError` for a store without them.
 *
 * @example
 * ```ts
 * const store = createMemoryStore()
 * const agent = defineAgent({ id: 'assistant', instructions, model, memory: { store: createStoreMemory(store) } })
 * ```
 */
export function createStoreMemory(store: StoreV1): AgentMemory {
  if (!isAgentMemory(store)) {
    throw new InvalidArgumentError({
      fn: 'createStoreMemory',
      argument: 'store',
      expected:
        'a store with the threads capability (capabilities.threads, with appendThreadMessages, getThread, summarizeThread and deleteThread)',
      received:
        typeof store === 'object' && store !== null && 'provider' in store
          ? `store "${String(store.provider)}" without threads`
          : store,
    })
  }
  const threads = store
  return {
    appendThreadMessages: (request) => threads.appendThreadMessages(request),
    getThread: (request) => threads.getThread(request),
    summarizeThread: (request) => threads.summarizeThread(request),
    deleteThread: (request) => threads.deleteThread(request),
  }
}
