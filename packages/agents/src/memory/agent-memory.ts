import type { StoreV1 } from '@tessera/core'

/**
 * Where an agent keeps conversation threads: the four thread methods of the store port. Any
 * store with `capabilities.threads` is one (`createMemoryStore()` from `@tessera/core` keeps
 * threads in this process; the SQL stores in their database), and so is any object with these
 * methods that keeps the port's rules.
 *
 * @example
 * ```ts
 * const memory: AgentMemory = createStoreMemory(createMemoryStore())
 * await memory.appendThreadMessages({ threadId: 't1', messages: [{ role: 'user', content: 'Hi' }], now: Date.now() })
 * ```
 */
export type AgentMemory = Required<
  Pick<StoreV1, 'appendThreadMessages' | 'getThread' | 'summarizeThread' | 'deleteThread'>
>

/** The method names an {@link AgentMemory} has. */
export const agentMemoryMethods = [
  'appendThreadMessages',
  'getThread',
  'summarizeThread',
  'deleteThread',
] as const

/**
 * True when `value` has the four thread methods (for a store: and declares `capabilities.threads`).
 *
 * @example
 * ```ts
 * isAgentMemory(createMemoryStore()) // true
 * ```
 */
export function isAgentMemory(value: unknown): value is AgentMemory {
  if (typeof value !== 'object' || value === null) return false
  const capabilities = (value as { capabilities?: { threads?: boolean } }).capabilities
  if (capabilities !== undefined && capabilities.threads !== true) return false
  return agentMemoryMethods.every(
    (method) => typeof (value as Record<string, unknown>)[method] === 'function',
  )
}
