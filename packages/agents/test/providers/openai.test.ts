import { readFileSync } from 'node:fs'
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest'
import OpenAI from 'openai'
import {
  InvalidArgumentError,
  ModelCallError,
  PromptTooLongError,
  UnsupportedSchemaError,
  type ModelRequest,
} from '@tessera/core'
import { createOpenAI } from '../../src/providers/openai'
import { createOpenAIWireServer } from '../wire/openai-wire-server'
import { ask, describeWireConformance, errorOf, readAll } from './model-test-helpers'

describeWireConformance('openai (settings)', await createOpenAIWireServer(), (server) =>
  createOpenAI({ apiKey: 'sk-test', baseURL: server.url })('gpt-4o-mini'),
)

// A client of the user's own, with the SDK's default of 2 retries: the provider turns them off.
describeWireConformance('openai (own client)', await createOpenAIWireServer(), (server) =>
  createOpenAI({
    client: new OpenAI({ apiKey: 'sk-own', baseURL: server.url, logLevel: 'off' }),
  })('gpt-4.1-mini'),
)

const fixture = (name: string): any =>
  JSON.parse(readFileSync(new URL(`../wire/fixtures/openai/${name}`, import.meta.url), 'utf8'))
describe('openai: the request the SDK sends', async () => {
  const server = await createOpenAIWireServer()
  const provider = createOpenAI({
    apiKey: 'sk-test',
    baseURL: server.url,
    organization: 'org-tessera',
    project: 'proj-tessera',
    headers: { 'x-team': 'agents' },
  })
  const model = provider('gpt-4o-mini')
  beforeEach(() => server.reset())
  afterAll(() => server.close())

  it('maps system, user parts, assistant tool calls and tool results to chat messages', async () => {
    server.reply({ type: 'answer', text: 'Sunny.' })
    await model.generate({
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather in Paris?' },
            { type: 'text', text: ' And Oslo?' },
          ],
        },
        {
          role: 'assistant',
          content: [
            {
              type: 'tool-call',
              toolCallId: 'call_1',
              toolName: 'get_weather',
              input: { city: 'Paris' },
            },
          ],
        },
        {
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId: 'call_1',
              toolName: 'get_weather',
              output: { sky: 'sun' },
            },
          ],
        },
        { role: 'user', content: 'Thanks' },
      ],
    })
    const [request] = server.requests
    expect(request?.method).toBe('POST')
    expect(request?.path).toBe('/v1/chat/completions')
    expect(request?.body.model).toBe('gpt-4o-mini')
    expect(request?.body.stream).toBe(false)
    expect(request?.body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather in Paris?' },
          { type: 'text', text: ' And Oslo?' },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"sky":"sun"}' },
      { role: 'user', content: 'Thanks' },
    ])
  })

  it('sends the key, organization, project and headers (settings, then the request’s own)', async () => {
    server.reply({ type: 'answer', text: 'ok' })
    await model.generate(ask('hi', { headers: { 'x-request': 'r1' } }))
    const headers = server.requests[0]?.headers
    expect(headers).toMatchObject({
      authorization: 'Bearer sk-test',
      'openai-organization': 'org-tessera',
      'openai-project': 'proj-tessera',
      'x-team': 'agents',
      'x-request': 'r1',
    })
  })

  it('sends tools as functions, tool_choice, sampling settings, max_completion_tokens and provider options', async () => {
    server.reply({ type: 'answer', text: 'ok' })
    await model.generate(
      ask('hi', {
        tools: [
          {
            name: 'get_weather',
            description: 'Forecast',
            inputSchema: { type: 'object', properties: { city: { type: 'string' } } },
          },
        ],
        toolChoice: { type: 'tool', toolName: 'get_weather' },
        temperature: 0.2,
        topP: 0.9,
        maxOutputTokens: 300,
        stopSequences: ['END'],
        seed: 7,
        providerOptions: { openai: { user: 'user-1', parallel_tool_calls: false } },
      }),
    )
    const body = server.requests[0]?.body
    expect(body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Forecast',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ])
    expect(body.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } })
    expect(body).toMatchObject({
      temperature: 0.2,
      top_p: 0.9,
      max_completion_tokens: 300,
      stop: ['END'],
      seed: 7,
      user: 'user-1',
      parallel_tool_calls: false,
    })
    expect(body.max_tokens).toBeUndefined()
  })

  it('asks for strict json_schema output: optional properties become nullable, objects closed', async () => {
    server.reply({
      type: 'answer',
      json: { city: 'Oslo', note: null, stops: [{ name: 'A', at: null }] },
    })
    const response = await model.generate(
      ask('Plan a trip.', {
        responseFormat: {
          type: 'json',
          name: 'trip plan',
          schema: {
            $schema: 'https://json-schema.org/draft/2020-12/schema',
            type: 'object',
            properties: {
              city: { type: 'string' },
              note: { type: 'string' },
              stops: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { name: { type: 'string' }, at: { type: 'string' } },
                  required: ['name'],
                },
              },
            },
            required: ['city', 'stops'],
          },
        },
      }),
    )
    expect(server.requests[0]?.body.response_format).toEqual({
      type: 'json_schema',
      json_schema: {
        name: 'trip_plan',
        strict: true,
        schema: {
          type: 'object',
          properties: {
            city: { type: 'string' },
            note: { type: ['string', 'null'] },
            stops: {
              type: 'array',
              items: {
                type: 'object',
                properties: { name: { type: 'string' }, at: { type: ['string', 'null'] } },
                required: ['name', 'at'],
                additionalProperties: false,
              },
            },
          },
          required: ['city', 'note', 'stops'],
          additionalProperties: false,
        },
      },
    })
    // The nulls that stood for optional properties are gone from the answer.
    expect(JSON.parse((response.content[0] as { text: string }).text)).toEqual({
      city: 'Oslo',
      stops: [{ name: 'A' }],
    })
  })

  it('rejects a schema strict mode cannot express before sending anything, naming its path', async () => {
    const error = await errorOf(() =>
      model.generate(
        ask('x', {
          responseFormat: {
            type: 'json',
            schema: {
              type: 'object',
              properties: { scores: { type: 'object', additionalProperties: { type: 'number' } } },
            },
          },
        }),
      ),
    )
    expect(UnsupportedSchemaError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({
      provider: 'openai',
      path: '/properties/scores/additionalProperties',
    })
    expect(server.requests).toHaveLength(0)
  })

  it('rejects a toolChoice naming a tool it was not given', async () => {
    const error = await errorOf(() =>
      model.generate(
        ask('x', {
          tools: [{ name: 'a', inputSchema: { type: 'object' } }],
          toolChoice: { type: 'tool', toolName: 'b' },
        }),
      ),
    )
    expect(InvalidArgumentError.isInstance(error)).toBe(true)
    expect(error.message).toContain('request.toolChoice')
  })

  it('sends strict tools when asked, and removes the added nulls from their input', async () => {
    server.reply({
      type: 'answer',
      toolCalls: [{ id: 'call_s', name: 'lookup', input: { id: 7, note: null } }],
    })
    const response = await provider('gpt-4o-mini', { strictTools: true }).generate(
      ask('x', {
        tools: [
          {
            name: 'lookup',
            inputSchema: {
              type: 'object',
              properties: { id: { type: 'integer' }, note: { type: 'string' } },
              required: ['id'],
            },
          },
        ],
      }),
    )
    expect(server.requests[0]?.body.tools[0].function).toMatchObject({
      strict: true,
      parameters: {
        required: ['id', 'note'],
        additionalProperties: false,
        properties: { note: { type: ['string', 'null'] } },
      },
    })
    expect(response.content).toEqual([
      { type: 'tool-call', toolCallId: 'call_s', toolName: 'lookup', input: { id: 7 } },
    ])
  })

  it('uses the developer role for reasoning models, or as asked', async () => {
    server.reply({ type: 'answer', text: 'a' }, { type: 'answer', text: 'b' })
    const messages: ModelRequest['messages'] = [
      { role: 'system', content: 'Rules.' },
      { role: 'user', content: 'hi' },
    ]
    await provider('o3-mini').generate({ messages })
    await provider('gpt-4o', { systemMessageRole: 'developer' }).generate({ messages })
    expect(server.requests.map((request) => request.body.messages[0].role)).toEqual([
      'developer',
      'developer',
    ])
  })

  it('streams with stream_options.include_usage', async () => {
    server.reply({ type: 'answer', text: 'hello there' })
    await readAll(model.stream(ask('hi')))
    expect(server.requests[0]?.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    })
  })
})

describe('openai: what comes back', async () => {
  const server = await createOpenAIWireServer()
  const model = createOpenAI({ apiKey: 'sk-test', baseURL: server.url })('gpt-4o-mini')
  beforeEach(() => server.reset())
  afterAll(() => server.close())

  it('reports cached input tokens, the response id and the answering model', async () => {
    server.reply({
      type: 'answer',
      text: 'cached',
      usage: { inputTokens: 2000, outputTokens: 3, cachedInputTokens: 1536 },
    })
    const response = await model.generate(ask('hi'))
    expect(response.usage).toEqual({ inputTokens: 2000, outputTokens: 3, cachedInputTokens: 1536 })
    expect(response.responseId).toMatch(/^chatcmpl-/)
    expect(response.provider).toBe('openai')
    expect(response.modelId).toBe('gpt-4o-mini')
  })

  it('streams several text deltas and the usage of the final chunk', async () => {
    server.reply({
      type: 'answer',
      text: 'one two three four',
      usage: { inputTokens: 4, outputTokens: 4, cachedInputTokens: 0 },
    })
    const parts = await readAll(model.stream(ask('count')))
    expect(parts.filter((part) => part.type === 'text-delta').length).toBeGreaterThan(1)
    expect(parts.at(-1)).toMatchObject({
      type: 'finish',
      response: { usage: { inputTokens: 4, outputTokens: 4, cachedInputTokens: 0 } },
    })
  })

  it('gives a refusal as text with finish reason content-filter', async () => {
    const completion = fixture('chat-completion.json')
    completion.choices[0].message.content = null
    completion.choices[0].message.refusal = "I'm sorry, I can't help with that."
    server.reply({ type: 'raw', status: 200, body: JSON.stringify(completion) })
    const response = await model.generate(ask('something bad'))
    expect(response.finishReason).toBe('content-filter')
    expect(response.content).toEqual([{ type: 'text', text: "I'm sorry, I can't help with that." }])
  })

  it('rejects tool-call arguments that are not JSON as a malformed response', async () => {
    const completion = fixture('chat-completion-tool-calls.json')
    completion.choices[0].message.tool_calls[0].function.arguments = '{"location": "Bos'
    server.reply({ type: 'raw', status: 200, body: JSON.stringify(completion) })
    const error = await errorOf(() => model.generate(ask('weather')))
    expect(error).toMatchObject({ code: 'model_call_failed', failure: 'malformed-response' })
    expect(error.message).toContain('"get_current_weather"')
  })

  it('a stream cut off before its finish reason is a malformed response', async () => {
    const chunk = {
      id: 'chatcmpl-cut',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'gpt-4o-mini',
      choices: [{ index: 0, delta: { content: 'Hel' }, logprobs: null, finish_reason: null }],
    }
    server.reply({
      type: 'raw',
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body: `data: ${JSON.stringify(chunk)}\n\n`,
    })
    const error = await errorOf(() => readAll(model.stream(ask('hi'))))
    expect(error).toMatchObject({ failure: 'malformed-response' })
    expect(error.message).toContain('before a finish reason')
  })

  it('an error event inside a stream is a server error', async () => {
    const error = {
      message: 'The server had an error while processing your request.',
      type: 'server_error',
      param: null,
      code: null,
    }
    server.reply({
      type: 'raw',
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body: `data: ${JSON.stringify({ error })}\n\n`,
    })
    const caught = await errorOf(() => readAll(model.stream(ask('hi'))))
    expect(caught).toMatchObject({ failure: 'server-error', retryable: true })
  })
})

describe('openai: errors', async () => {
  const server = await createOpenAIWireServer()
  const model = createOpenAI({ apiKey: 'sk-test', baseURL: server.url })('gpt-4o-mini')
  beforeEach(() => server.reset())
  afterAll(() => server.close())

  it('reads the prompt’s size and the limit from OpenAI’s context-length message', async () => {
    server.reply({ type: 'error', status: 400, errorType: 'context_length_exceeded' })
    const error = await errorOf(() => model.generate(ask('long')))
    expect(PromptTooLongError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ tokens: 130412, limit: 128000, estimated: false })
  })

  it('an exhausted quota (429 insufficient_quota) is rate-limited but not retryable', async () => {
    server.reply({ type: 'error', status: 429, errorType: 'insufficient_quota' })
    const error = await errorOf(() => model.generate(ask('hi')))
    expect(error).toMatchObject({ failure: 'rate-limited', retryable: false, statusCode: 429 })
    expect(error.message).toContain('exceeded your current quota')
  })

  it('honours retry-after-ms, and a Retry-After HTTP date', async () => {
    const body = JSON.stringify(fixture('error-rate-limit-exceeded.json'))
    server.reply(
      { type: 'raw', status: 429, headers: { 'retry-after-ms': '1500', 'retry-after': '9' }, body },
      {
        type: 'raw',
        status: 503,
        headers: { 'retry-after': new Date(Date.now() + 60_000).toUTCString() },
        body: JSON.stringify(fixture('error-server-error.json')),
      },
    )
    expect(await errorOf(() => model.generate(ask('hi')))).toMatchObject({ retryAfterMs: 1500 })
    const later = await errorOf(() => model.generate(ask('hi')))
    expect(later).toMatchObject({ failure: 'server-error', statusCode: 503 })
    expect(later.retryAfterMs).toBeGreaterThan(50_000)
    expect(later.retryAfterMs).toBeLessThanOrEqual(60_000)
  })

  it('403 is authentication, other 4xx bad-request, both not retryable', async () => {
    server.reply(
      { type: 'error', status: 403 },
      { type: 'error', status: 422, message: 'bad field' },
    )
    expect(await errorOf(() => model.generate(ask('hi')))).toMatchObject({
      failure: 'authentication',
      retryable: false,
    })
    const bad = await errorOf(() => model.generate(ask('hi')))
    expect(bad).toMatchObject({ failure: 'bad-request', retryable: false, statusCode: 422 })
    expect(bad.message).toContain('bad field')
  })

  it('a timeout is a retryable ModelCallError timeout', async () => {
    server.reply({ type: 'hang' })
    const slow = createOpenAI({ apiKey: 'sk-test', baseURL: server.url, timeout: 200 })(
      'gpt-4o-mini',
    )
    const error = await errorOf(() => slow.generate(ask('hi')))
    expect(error).toMatchObject({ failure: 'timeout', retryable: true })
  })

  it('an unreachable server is a retryable ModelCallError network', async () => {
    const closed = await createOpenAIWireServer()
    const url = closed.url
    await closed.close()
    const error = await errorOf(() =>
      createOpenAI({ apiKey: 'sk-test', baseURL: url })('gpt-4o-mini').generate(ask('hi')),
    )
    expect(ModelCallError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ failure: 'network', retryable: true })
  })

  it('an already aborted signal rejects with its reason and sends nothing', async () => {
    const controller = new AbortController()
    const reason = new Error('stop')
    controller.abort(reason)
    expect(await errorOf(() => model.generate(ask('hi', { signal: controller.signal })))).toBe(
      reason,
    )
    expect(
      await errorOf(() => readAll(model.stream(ask('hi', { signal: controller.signal })))),
    ).toBe(reason)
    expect(server.requests).toHaveLength(0)
  })
})

describe('openai: the key', () => {
  it('is read from OPENAI_API_KEY at the first call; none is an authentication error then', async () => {
    const server = await createOpenAIWireServer({ apiKey: 'sk-from-env' })
    try {
      vi.stubEnv('OPENAI_API_KEY', '')
      const model = createOpenAI({ baseURL: server.url })('gpt-4o-mini')
      const error = await errorOf(() => model.generate(ask('hi')))
      expect(error).toMatchObject({ failure: 'authentication', retryable: false })
      expect(error.message).toContain('OPENAI_API_KEY')

      vi.stubEnv('OPENAI_API_KEY', 'sk-from-env')
      server.reply({ type: 'answer', text: 'keyed' })
      const later = createOpenAI({ baseURL: server.url })('gpt-4o-mini')
      expect((await later.generate(ask('hi'))).content).toEqual([{ type: 'text', text: 'keyed' }])
    } finally {
      vi.unstubAllEnvs()
      await server.close()
    }
  })

  it('rejects an empty model id', () => {
    expect(() => createOpenAI({ apiKey: 'k' })('')).toThrow(
      /"modelId" must be a non-empty model id/,
    )
  })
})
