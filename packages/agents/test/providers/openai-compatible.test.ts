import { readFileSync } from 'node:fs'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import OpenAI from 'openai'
import { InvalidArgumentError, PromptTooLongError, UnknownModelError } from '@tessera/core'
import { createOpenAICompatible } from '../../src/providers/openai-compatible'
import { createOpenAIWireServer } from '../wire/openai-wire-server'
import { ask, describeWireConformance, errorOf, readAll } from './model-test-helpers'

// A local server without a key (Ollama, llama.cpp server): no Authorization header at all.
describeWireConformance(
  'openai-compatible (no key, json_schema)',
  await createOpenAIWireServer(),
  (server) => createOpenAICompatible({ name: 'ollama', baseURL: server.url })('llama3.2'),
)

// A server that only knows JSON mode: a json_schema request would get a 400.
describeWireConformance(
  'openai-compatible (json_object only)',
  await createOpenAIWireServer({ responseFormats: ['json_object'] }),
  (server) =>
    createOpenAICompatible({
      name: 'llama-server',
      baseURL: server.url,
      structuredOutputs: 'json-object',
    })('qwen2.5-7b-instruct'),
)

// A gateway that checks its key, reached through the user's own client.
describeWireConformance(
  'openai-compatible (own client, keyed)',
  await createOpenAIWireServer({ apiKey: 'gw-key' }),
  (server) =>
    createOpenAICompatible({
      name: 'gateway',
      baseURL: server.url,
      client: new OpenAI({ apiKey: 'gw-key', baseURL: server.url, logLevel: 'off' }),
    })('meta-llama/Llama-3.1-8B-Instruct'),
)

const fixture = (name: string): string =>
  readFileSync(new URL(`../wire/fixtures/openai/${name}`, import.meta.url), 'utf8')
const tripSchema = {
  type: 'object',
  properties: { city: { type: 'string' }, note: { type: 'string' } },
  required: ['city'],
}

describe('openai-compatible: requests', async () => {
  const server = await createOpenAIWireServer()
  beforeEach(() => server.reset())
  afterAll(() => server.close())

  it('sends no Authorization header without a key, and Bearer with one', async () => {
    server.reply({ type: 'answer', text: 'a' }, { type: 'answer', text: 'b' })
    await createOpenAICompatible({ name: 'ollama', baseURL: server.url })('llama3.2').generate(
      ask('hi'),
    )
    await createOpenAICompatible({
      name: 'vllm',
      baseURL: server.url,
      apiKey: 'vllm-key',
      headers: { 'x-tenant': 't1' },
    })('qwen').generate(ask('hi'))
    expect(server.requests[0]?.headers.authorization).toBeUndefined()
    expect(server.requests[1]?.headers).toMatchObject({
      authorization: 'Bearer vllm-key',
      'x-tenant': 't1',
    })
  })

  it('names itself after its settings, sends max_tokens and its own provider options', async () => {
    server.reply({ type: 'answer', text: 'ok' })
    const model = createOpenAICompatible({ name: 'lmstudio', baseURL: server.url })('phi-4')
    expect(model.provider).toBe('lmstudio')
    const response = await model.generate(
      ask('hi', {
        maxOutputTokens: 99,
        providerOptions: { lmstudio: { ttl: 300 }, openai: { user: 'not-mine' } },
      }),
    )
    expect(response.provider).toBe('lmstudio')
    const body = server.requests[0]?.body
    expect(body).toMatchObject({ max_tokens: 99, ttl: 300 })
    expect(body.max_completion_tokens).toBeUndefined()
    expect(body.user).toBeUndefined()
  })

  it('json-schema mode sends the schema as it is (not strict) unless strictJsonSchema is set', async () => {
    server.reply(
      { type: 'answer', json: { city: 'Oslo' } },
      { type: 'answer', json: { city: 'Oslo', note: null } },
    )
    const loose = createOpenAICompatible({ name: 'vllm', baseURL: server.url })('qwen')
    const strict = createOpenAICompatible({
      name: 'azure',
      baseURL: server.url,
      strictJsonSchema: true,
    })('gpt-4o')
    const format = { type: 'json' as const, schema: tripSchema, name: 'trip' }
    await loose.generate(ask('plan', { responseFormat: format }))
    const strictAnswer = await strict.generate(ask('plan', { responseFormat: format }))
    expect(server.requests[0]?.body.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'trip', schema: tripSchema },
    })
    expect(server.requests[1]?.body.response_format.json_schema).toMatchObject({
      strict: true,
      schema: { required: ['city', 'note'], additionalProperties: false },
    })
    expect(JSON.parse((strictAnswer.content[0] as { text: string }).text)).toEqual({ city: 'Oslo' })
  })

  it('json-object mode asks for json_object and states the schema in the system message', async () => {
    server.reply(
      { type: 'answer', json: { city: 'Oslo' } },
      { type: 'answer', json: { city: 'Rome' } },
    )
    const model = createOpenAICompatible({
      name: 'old-server',
      baseURL: server.url,
      structuredOutputs: 'json-object',
    })('mistral')
    const format = { type: 'json' as const, schema: tripSchema }
    await model.generate(ask('plan', { responseFormat: format }))
    await model.generate({
      messages: [
        { role: 'system', content: 'You plan trips.' },
        { role: 'user', content: 'plan' },
      ],
      responseFormat: format,
    })
    const [first, second] = server.requests
    expect(first?.body.response_format).toEqual({ type: 'json_object' })
    expect(first?.body.messages[0].role).toBe('system')
    expect(first?.body.messages[0].content).toContain(JSON.stringify(tripSchema))
    expect(first?.body.messages[1]).toEqual({ role: 'user', content: 'plan' })
    expect(second?.body.messages).toHaveLength(2)
    expect(second?.body.messages[0].content).toMatch(
      /^You plan trips\.\n\nAnswer with one JSON object/,
    )
  })

  it('a server without JSON-schema support answers json_schema with a 400: bad-request', async () => {
    const jsonOnly = await createOpenAIWireServer({ responseFormats: ['json_object'] })
    try {
      const model = createOpenAICompatible({ name: 'old-server', baseURL: jsonOnly.url })('mistral')
      const error = await errorOf(() =>
        model.generate(ask('plan', { responseFormat: { type: 'json', schema: tripSchema } })),
      )
      expect(error).toMatchObject({
        failure: 'bad-request',
        statusCode: 400,
        provider: 'old-server',
      })
    } finally {
      await jsonOnly.close()
    }
  })
})

describe('openai-compatible: servers’ own answers', async () => {
  const server = await createOpenAIWireServer()
  const model = createOpenAICompatible({ name: 'local', baseURL: server.url })('llama3.2')
  beforeEach(() => server.reset())
  afterAll(() => server.close())

  it('llama.cpp’s exceed_context_size_error is PromptTooLongError with its sizes', async () => {
    server.reply({
      type: 'raw',
      status: 400,
      body: fixture('llama-cpp-error-exceed-context-size.json'),
    })
    const error = await errorOf(() => model.generate(ask('long')))
    expect(PromptTooLongError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ provider: 'local', tokens: 5210, limit: 4096 })
  })

  it('vLLM’s context-length message is PromptTooLongError with its sizes', async () => {
    server.reply({ type: 'raw', status: 400, body: fixture('vllm-error-context-length.json') })
    const error = await errorOf(() => model.generate(ask('long')))
    expect(PromptTooLongError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ tokens: 5120, limit: 4096 })
  })

  it('Ollama’s “model not found, try pulling it first” is UnknownModelError', async () => {
    server.reply({ type: 'raw', status: 404, body: fixture('ollama-error-model-not-found.json') })
    const error = await errorOf(() => model.generate(ask('hi')))
    expect(UnknownModelError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ provider: 'local', modelId: 'llama3.2' })
  })

  it('tool calls without ids and with finish reason stop still come back as tool calls', async () => {
    const completion = JSON.parse(fixture('chat-completion-tool-calls.json'))
    delete completion.choices[0].message.tool_calls[0].id
    completion.choices[0].finish_reason = 'stop'
    server.reply({ type: 'raw', status: 200, body: JSON.stringify(completion) })
    const response = await model.generate(ask('weather'))
    expect(response.finishReason).toBe('tool-calls')
    expect(response.content).toEqual([
      {
        type: 'tool-call',
        toolCallId: 'call_0',
        toolName: 'get_current_weather',
        input: { location: 'Boston, MA' },
      },
    ])
  })

  it('a stream without a usage chunk (the server ignores include_usage) finishes with zero usage', async () => {
    const chunks = fixture('chat-completion-chunks.sse')
      .split('\n\n')
      .filter((event) => event.startsWith('data: {') && !event.includes('"choices":[]'))
      .map((event) => event.replace(',"usage":null', ''))
    server.reply({
      type: 'raw',
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body: `${chunks.join('\n\n')}\n\ndata: [DONE]\n\n`,
    })
    const parts = await readAll(model.stream(ask('hi')))
    expect(parts.at(-1)).toMatchObject({
      type: 'finish',
      response: {
        content: [{ type: 'text', text: 'Hello! How can I assist you today?' }],
        usage: { inputTokens: 0, outputTokens: 0 },
      },
    })
  })
})

describe('createOpenAICompatible: settings', () => {
  it('needs a name and an http(s) base URL', () => {
    expect(() => createOpenAICompatible({ name: '', baseURL: 'http://localhost:1/v1' })).toThrow(
      InvalidArgumentError,
    )
    expect(() => createOpenAICompatible({ name: 'x', baseURL: 'localhost:11434' })).toThrow(
      /"settings.baseURL" must be an http\(s\) URL/,
    )
  })

  it('declares the capabilities it is given', () => {
    const model = createOpenAICompatible({
      name: 'tiny',
      baseURL: 'http://127.0.0.1:9/v1',
      capabilities: { tools: false },
    })('tiny-model')
    expect(model.capabilities).toEqual({ tools: false, structuredOutput: true, streaming: true })
  })
})
