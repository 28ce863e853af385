import { createMemoryStore, InvalidArgumentError, type StoreV1 } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { isAgentMemory } from './agent-memory'
import { createStoreMemory } from './create-store-memory'
import { estimateTokens } from './estimate-tokens'

describe('createStoreMemory', () => {
  it('wraps a store with threads, and refuses one without', async () => {
    const store = createMemoryStore()
    const memory = createStoreMemory(store)
    await memory.appendThreadMessages({
      threadId: 't',
      messages: [{ role: 'user', content: 'hi' }],
      now: 1,
    })
    expect((await store.getThread!({ threadId: 't' }))?.lastSeq).toBe(1)
    const without = { ...store, capabilities: { ...store.capabilities, threads: false } } as StoreV1
    expect(() => createStoreMemory(without)).toThrow(InvalidArgumentError)
    expect(() => createStoreMemory(without)).toThrow(/without threads/)
    expect(isAgentMemory(without)).toBe(false)
    expect(isAgentMemory(store)).toBe(true)
  })
})

describe('estimateTokens', () => {
  it('counts a quarter token per character plus four per message', () => {
    expect(estimateTokens([{ role: 'user', content: 'Hello there' }])).toBe(7)
    expect(estimateTokens([])).toBe(0)
  })
})
