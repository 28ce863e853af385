import type { LanguageModelV1 } from '@tessera/core'
import type { ModelWireServer } from '@tessera/core/testing'
import { createAnthropic } from '../../src/providers/anthropic'
import { createGoogle } from '../../src/providers/google'
import { createOpenAI } from '../../src/providers/openai'
import { createAnthropicWireServer } from '../wire/anthropic-wire-server'
import { createGoogleWireServer } from '../wire/google-wire-server'
import { createOpenAIWireServer } from '../wire/openai-wire-server'

/** One vendor for the reliability tests: its local wire server and its real provider. */
export interface Vendor {
  name: 'openai' | 'anthropic' | 'google'
  modelId: string
  /** The provider's model, talking to `baseURL` (the wire server's by default) through the SDK. */
  model(baseURL?: string): LanguageModelV1
}

/** The three HTTP vendors, each with a wire server of its own. */
export async function createVendors(): Promise<{
  vendors: (Vendor & { server: ModelWireServer })[]
  close(): Promise<void>
}> {
  const openaiServer = await createOpenAIWireServer()
  const anthropicServer = await createAnthropicWireServer()
  const googleServer = await createGoogleWireServer()
  const vendors = [
    {
      name: 'openai' as const,
      modelId: 'gpt-4o-mini',
      server: openaiServer,
      model: (baseURL = openaiServer.url) =>
        createOpenAI({ apiKey: 'sk-test', baseURL })('gpt-4o-mini'),
    },
    {
      name: 'anthropic' as const,
      modelId: 'claude-haiku-4-5',
      server: anthropicServer,
      model: (baseURL = anthropicServer.url) =>
        createAnthropic({ apiKey: 'sk-ant-test', baseURL })('claude-haiku-4-5'),
    },
    {
      name: 'google' as const,
      modelId: 'gemini-2.5-flash',
      server: googleServer,
      model: (baseURL = googleServer.url) =>
        createGoogle({ apiKey: 'test-key', baseURL })('gemini-2.5-flash'),
    },
  ]
  return {
    vendors,
    close: async () => {
      await Promise.all(vendors.map((vendor) => vendor.server.close()))
    },
  }
}

/** Resolves once `server` has received `count` requests in all. */
export async function receivedRequests(server: ModelWireServer, count: number): Promise<void> {
  while (server.requests.length < count) await new Promise((resolve) => setTimeout(resolve, 2))
}
