import { describe, expect, it } from 'vitest'
import type { ContentPart, LanguageModelV1, ModelRequest } from '@tessera/core'
import {
  describeLanguageModelConformance,
  type ModelWireReply,
  type ModelWireRequest,
  type ModelWireServer,
} from '@tessera/core/testing'
import {
  createScriptedModel,
  type ScriptedModel,
  type ScriptedReply,
} from './create-scripted-model'

/**
 * A scripted model has no wire: the suite's answer scripts become scripted replies (pushed as the
 * suite scripts them) and its received requests are the model's calls. Failures that only exist
 * on a wire (HTTP statuses, broken bodies, a server that never answers) have nothing to map.
 */
function scriptedWire(): {
  model: LanguageModelV1
  server: Pick<ModelWireServer, 'reply' | 'requests' | 'reset'>
} {
  let current: ScriptedModel = createScriptedModel([])
  const model: LanguageModelV1 = {
    specificationVersion: 'v1',
    provider: current.provider,
    modelId: current.modelId,
    capabilities: current.capabilities,
    generate: (request) => current.generate(request),
    stream: (request) => current.stream(request),
  }
  const server: Pick<ModelWireServer, 'reply' | 'requests' | 'reset'> = {
    reply: (...replies) => current.push(...replies.map(toScriptedReply)),
    get requests(): readonly ModelWireRequest[] {
      return current.calls.map((request: ModelRequest) => ({
        method: 'CALL',
        path: '/scripted',
        headers: {},
        body: request,
      }))
    },
    reset: () => {
      current = createScriptedModel([])
    },
  }
  return { model, server }
}

function toScriptedReply(reply: ModelWireReply): ScriptedReply {
  if (reply.type !== 'answer') {
    throw new Error(`A scripted model cannot render a "${reply.type}" wire reply`)
  }
  const content: ContentPart[] = []
  if (reply.text !== undefined) content.push({ type: 'text', text: reply.text })
  if (reply.json !== undefined) content.push({ type: 'text', text: JSON.stringify(reply.json) })
  for (const call of reply.toolCalls ?? []) {
    content.push({ type: 'tool-call', toolCallId: call.id, toolName: call.name, input: call.input })
  }
  return {
    content,
    ...(reply.finishReason ? { finishReason: reply.finishReason } : {}),
    ...(reply.usage ? { usage: reply.usage } : {}),
  }
}

const noWire = 'a scripted model has no HTTP: a scripted Error rejects the call as it is'
const instant =
  'a scripted model answers at once; its unit tests check that an aborted signal rejects'

const wire = scriptedWire()
describeLanguageModelConformance({
  name: 'scripted model',
  createModel: () => wire.model,
  server: wire.server,
  skip: {
    'abort-generate': instant,
    'abort-stream': instant,
    'rate-limited': noWire,
    'server-error': noWire,
    authentication: noWire,
    'malformed-response': noWire,
    'malformed-stream': noWire,
    'unknown-model': noWire,
    'prompt-too-long': noWire,
  },
})

// Without a server the suite runs the tests meant for a real model; this script answers them in
// the suite's order (text, stream, abort mid-stream, structured output, forced tool call).
describeLanguageModelConformance({
  name: 'scripted model (real-model tests)',
  createModel: () =>
    createScriptedModel([
      'Hello, reader.',
      'One, two, three, four, five.',
      'Once upon a time a lighthouse keeper counted the ships that passed.',
      '{"name":"Ada","age":36}',
      {
        content: [
          {
            type: 'tool-call',
            toolCallId: 'c1',
            toolName: 'get_weather',
            input: { city: 'Paris' },
          },
        ],
      },
    ]),
  skip: { 'abort-generate': instant },
})

describe('ScriptedModel.push', () => {
  it('appends replies after creation, and checks them', async () => {
    const model = createScriptedModel(['first'])
    model.push('second', { content: [{ type: 'text', text: 'third' }] })
    expect(model.remaining).toBe(3)
    await model.generate({ messages: [{ role: 'user', content: 'a' }] })
    const second = await model.generate({ messages: [{ role: 'user', content: 'b' }] })
    expect(second.content).toEqual([{ type: 'text', text: 'second' }])
    expect(second.provider).toBe('scripted')
    expect(() => model.push(7 as never)).toThrow(/ScriptedModel\.push: "replies\[0\]" must be/)
  })
})
