import Anthropic from '@anthropic-ai/sdk'
import {
  InvalidArgumentError,
  ModelCallError,
  PromptTooLongError,
  UnsupportedSchemaError,
  type ModelRequest,
  type ModelTool,
} from '@tessera/core'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  anthropic,
  anthropicDefaultMaxTokens,
  createAnthropic,
} from '../../src/providers/anthropic'
import { createAnthropicWireServer, type AnthropicWireServer } from '../wire/anthropic-wire-server'
import { ask, describeWireConformance, errorOf, readAll } from './model-test-helpers'

describeWireConformance(
  'anthropic (settings: baseURL + apiKey)',
  await createAnthropicWireServer(),
  (server) =>
    createAnthropic({ baseURL: server.url, apiKey: 'sk-ant-test', timeout: 5000 })(
      'claude-sonnet-5-5',
    ),
)

describeWireConformance('anthropic (own client)', await createAnthropicWireServer(), (server) =>
  createAnthropic({
    client: new Anthropic({ baseURL: server.url, apiKey: 'sk-ant-own', maxRetries: 0 }),
  })('claude-haiku-5-5'),
)

const weatherTool: ModelTool = {
  name: 'get_weather',
  description: 'The weather forecast for a city.',
  inputSchema: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
  },
}

describe('anthropic provider: what the SDK sends', () => {
  let server: AnthropicWireServer
  const provider = () => createAnthropic({ baseURL: server.url, apiKey: 'sk-ant-key-1' })
  beforeAll(async () => {
    server = await createAnthropicWireServer()
  })
  afterEach(() => server.reset())
  afterAll(() => server.close())

  it('posts to /v1/messages with anthropic-version 2026-10-21 and the key as a Bearer token', async () => {
    server.reply({ type: 'answer', text: 'Hi' })
    await provider()('claude-sonnet-5-5').generate(ask('Hello'))
    const [request] = server.requests
    expect(request?.method).toBe('POST')
    expect(request?.path).toBe('/v1/messages')
    expect(request?.headers['anthropic-version']).toBe('2026-10-21')
    // SDK 1.x sends the key as `Authorization: Bearer`, no longer as `x-api-key`.
    expect(request?.headers.authorization).toBe('Bearer sk-ant-key-1')
    expect(request?.headers['x-stainless-retry-count']).toBe('0')
    expect(request?.body).toEqual({
      model: 'claude-sonnet-5-5',
      max_tokens: 16_384,
      messages: [{ role: 'user', content: 'Hello' }],
    })
  })

  it('sends the settings’ headers and the request’s own (which win)', async () => {
    server.reply({ type: 'answer', text: 'Hi' })
    const model = createAnthropic({
      baseURL: server.url,
      apiKey: 'sk-ant-key-1',
      headers: { 'x-team': 'search', 'x-trace': 'settings' },
    })('claude-sonnet-5-5')
    await model.generate(ask('Hello', { headers: { 'x-trace': 'request' } }))
    expect(server.requests[0]?.headers).toMatchObject({ 'x-team': 'search', 'x-trace': 'request' })
  })

  it('puts every system message in the top-level system parameter, joined', async () => {
    server.reply({ type: 'answer', text: 'Bonjour' })
    await provider()('claude-sonnet-5-5').generate({
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Hello' },
        { role: 'system', content: 'Answer in French.' },
      ],
    })
    const body = server.requests[0]?.body
    expect(body.system).toBe('You are terse.\n\nAnswer in French.')
    expect(body.messages).toEqual([{ role: 'user', content: 'Hello' }])
  })

  it('sends tool calls as tool_use blocks and merges consecutive tool results into one user turn', async () => {
    server.reply({ type: 'answer', text: 'Paris is sunny; Oslo failed.' })
    await provider()('claude-sonnet-5-5').generate({
      messages: [
        { role: 'user', content: 'Weather in Paris and Oslo?' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking both.' },
            {
              type: 'tool-call',
              toolCallId: 'toolu_1',
              toolName: 'get_weather',
              input: { city: 'Paris' },
            },
            {
              type: 'tool-call',
              toolCallId: 'toolu_2',
              toolName: 'get_weather',
              input: { city: 'Oslo' },
            },
          ],
        },
        {
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId: 'toolu_1',
              toolName: 'get_weather',
              output: { sky: 'sunny' },
            },
          ],
        },
        {
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId: 'toolu_2',
              toolName: 'get_weather',
              output: 'station offline',
              isError: true,
            },
          ],
        },
        { role: 'user', content: 'Summarise.' },
      ],
      tools: [weatherTool],
    })
    expect(server.requests[0]?.body.messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Oslo?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking both.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Oslo' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: '{"sky":"sunny"}' },
          {
            type: 'tool_result',
            tool_use_id: 'toolu_2',
            content: 'station offline',
            is_error: true,
          },
          { type: 'text', text: 'Summarise.' },
        ],
      },
    ])
  })

  it('sends tools as name, description and input_schema, and maps each toolChoice', async () => {
    const model = provider()('claude-sonnet-5-5')
    const choices: [ModelRequest['toolChoice'], unknown][] = [
      [undefined, undefined],
      ['auto', { type: 'auto' }],
      ['required', { type: 'any' }],
      ['none', { type: 'none' }],
      [
        { type: 'tool', toolName: 'get_weather' },
        { type: 'tool', name: 'get_weather' },
      ],
    ]
    for (const [toolChoice] of choices) {
      server.reply({ type: 'answer', text: 'ok' })
      await model.generate(
        ask('Weather?', { tools: [weatherTool], ...(toolChoice ? { toolChoice } : {}) }),
      )
    }
    expect(server.requests[0]?.body.tools).toEqual([
      {
        name: 'get_weather',
        description: 'The weather forecast for a city.',
        input_schema: weatherTool.inputSchema,
      },
    ])
    expect(server.requests.map((request) => request.body.tool_choice)).toEqual(
      choices.map(([, expected]) => expected),
    )
  })

  it('asks for structured output as a forced call of an output tool, and answers its input as JSON text', async () => {
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' }, days: { type: 'integer' } },
      required: ['city', 'days'],
    }
    server.reply({
      type: 'answer',
      json: { city: 'Oslo', days: 3 },
      usage: { inputTokens: 40, outputTokens: 12 },
    })
    const response = await provider()('claude-sonnet-5-5').generate(
      ask('Plan a trip.', { responseFormat: { type: 'json', schema, name: 'trip' } }),
    )
    const body = server.requests[0]?.body
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'trip' })
    expect(body.tools).toEqual([
      { name: 'trip', description: expect.any(String), input_schema: schema },
    ])
    expect(response.content).toEqual([{ type: 'text', text: '{"city":"Oslo","days":3}' }])
    expect(response.finishReason).toBe('stop')
  })

  it('names the output tool json_output by default, and wraps a schema that is not an object', async () => {
    const schema = { type: 'array', items: { type: 'string' } }
    server.reply({ type: 'answer', json: ['Oslo', 'Bergen'] })
    const response = await provider()('claude-sonnet-5-5').generate(
      ask('Two Norwegian cities.', { responseFormat: { type: 'json', schema } }),
    )
    const body = server.requests[0]?.body
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'json_output' })
    expect(body.tools[0].input_schema).toEqual({
      type: 'object',
      properties: { value: schema },
      required: ['value'],
      additionalProperties: false,
    })
    expect(
      JSON.parse(response.content[0]?.type === 'text' ? response.content[0].text : ''),
    ).toEqual(['Oslo', 'Bergen'])
  })

  it('with tools of its own, structured output adds the output tool and lets the model call any tool', async () => {
    server.reply({
      type: 'answer',
      toolCalls: [{ id: 'toolu_w', name: 'get_weather', input: { city: 'Oslo' } }],
    })
    server.reply({
      type: 'answer',
      toolCalls: [{ id: 'toolu_o', name: 'trip', input: { city: 'Oslo' } }],
    })
    const model = provider()('claude-sonnet-5-5')
    const request = ask('Plan a trip to wherever is sunny.', {
      tools: [weatherTool],
      responseFormat: {
        type: 'json',
        schema: { type: 'object', properties: { city: { type: 'string' } } },
        name: 'trip',
      },
    })
    const first = await model.generate(request)
    expect(server.requests[0]?.body.tool_choice).toEqual({ type: 'any' })
    expect(server.requests[0]?.body.tools.map((tool: { name: string }) => tool.name)).toEqual([
      'get_weather',
      'trip',
    ])
    expect(first.finishReason).toBe('tool-calls')
    expect(first.content).toEqual([
      {
        type: 'tool-call',
        toolCallId: 'toolu_w',
        toolName: 'get_weather',
        input: { city: 'Oslo' },
      },
    ])
    const second = await model.generate(request)
    expect(second.content).toEqual([{ type: 'text', text: '{"city":"Oslo"}' }])
    expect(second.finishReason).toBe('stop')
  })

  it('streams structured output as text deltas that join to the JSON answer', async () => {
    server.reply({ type: 'answer', json: { city: 'Oslo', days: 3, notes: 'fjords and museums' } })
    const parts = await readAll(
      provider()('claude-sonnet-5-5').stream(
        ask('Plan a trip.', {
          responseFormat: { type: 'json', schema: { type: 'object' }, name: 'trip' },
        }),
      ),
    )
    const deltas = parts.filter((part) => part.type === 'text-delta')
    expect(deltas.length).toBeGreaterThan(1)
    const text = deltas.map((part) => part.delta).join('')
    expect(JSON.parse(text)).toEqual({ city: 'Oslo', days: 3, notes: 'fjords and museums' })
    const finish = parts.at(-1)
    expect(finish?.type === 'finish' && finish.response.content).toEqual([{ type: 'text', text }])
    expect(parts.some((part) => part.type === 'tool-call-delta')).toBe(false)
  })

  it('defaults max_tokens per model; model settings and the request override it', async () => {
    const anthropicProvider = provider()
    server.reply(
      { type: 'answer', text: 'a' },
      { type: 'answer', text: 'b' },
      { type: 'answer', text: 'c' },
      { type: 'answer', text: 'd' },
    )
    await anthropicProvider('claude-3-5-haiku-latest').generate(ask('1'))
    await anthropicProvider('claude-3-haiku-20240307').generate(ask('2'))
    await anthropicProvider('claude-opus-5-5', { maxOutputTokens: 2048 }).generate(ask('3'))
    await anthropicProvider('claude-opus-5-5', { maxOutputTokens: 2048 }).generate(
      ask('4', { maxOutputTokens: 100 }),
    )
    expect(server.requests.map((request) => request.body.max_tokens)).toEqual([
      8192, 4096, 2048, 100,
    ])
    expect(anthropicDefaultMaxTokens('claude-sonnet-5-5')).toBe(16_384)
  })

  it('a non-streaming call too large for the SDK (max_tokens 64,000, no timeout) → bad-request naming stream()', async () => {
    const error = await errorOf(() =>
      provider()('claude-opus-5-5').generate(ask('A long essay', { maxOutputTokens: 64_000 })),
    )
    expect(error).toMatchObject({ failure: 'bad-request', retryable: false })
    expect((error as Error).message).toContain('stream()')
    expect(server.requests).toHaveLength(0)
  })

  it('sends stop sequences and provider options, and no sampling parameters (API 2026-10-21 has none)', async () => {
    server.reply({ type: 'answer', text: 'ok' })
    await provider()('claude-sonnet-5-5').generate(
      ask('Hello', {
        stopSequences: ['END'],
        temperature: 0.2,
        topP: 0.9,
        seed: 7,
        providerOptions: { anthropic: { metadata: { user_id: 'u-42' }, stream: true } },
      }),
    )
    const body = server.requests[0]?.body
    expect(body.stop_sequences).toEqual(['END'])
    expect(body.metadata).toEqual({ user_id: 'u-42' })
    expect(body).not.toHaveProperty('temperature')
    expect(body).not.toHaveProperty('top_p')
    expect(body).not.toHaveProperty('stream')
  })

  it('without any credentials, the first call fails with ModelCallError authentication', async () => {
    vi.stubEnv('ANTHROPIC_API_KEY', '')
    vi.stubEnv('ANTHROPIC_AUTH_TOKEN', '')
    vi.stubEnv('ANTHROPIC_PROFILE', '')
    // No credential profile on disk either.
    vi.stubEnv('HOME', '/nonexistent-tessera-home')
    vi.stubEnv('XDG_CONFIG_HOME', '/nonexistent-tessera-home')
    try {
      const model = createAnthropic({ baseURL: server.url })('claude-sonnet-5-5')
      const error = await errorOf(() => model.generate(ask('Hello')))
      expect(error).toMatchObject({ failure: 'authentication', retryable: false })
      expect((error as Error).message).toContain('ANTHROPIC_API_KEY')
      expect(server.requests).toHaveLength(0)
    } finally {
      vi.unstubAllEnvs()
    }
  })

  it('reads the default instance’s key from ANTHROPIC_API_KEY at the first call', async () => {
    vi.stubEnv('ANTHROPIC_API_KEY', 'sk-ant-from-env')
    vi.stubEnv('ANTHROPIC_BASE_URL', server.url)
    try {
      server.reply({ type: 'answer', text: 'Hi' })
      const response = await anthropic('claude-haiku-5-5').generate(ask('Hello'))
      expect(response.content).toEqual([{ type: 'text', text: 'Hi' }])
      expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-ant-from-env')
    } finally {
      vi.unstubAllEnvs()
    }
  })
})

describe('anthropic provider: answers and failures', () => {
  let server: AnthropicWireServer
  const model = (modelId = 'claude-sonnet-5-5') =>
    createAnthropic({ baseURL: server.url, apiKey: 'sk-ant-key-2' })(modelId)
  beforeAll(async () => {
    server = await createAnthropicWireServer()
  })
  afterEach(() => server.reset())
  afterAll(() => server.close())

  it('reports the whole prompt as input tokens and cache reads as cached input tokens', async () => {
    server.reply({
      type: 'answer',
      text: 'ok',
      usage: { inputTokens: 1200, outputTokens: 7, cachedInputTokens: 1000 },
    })
    const response = await model().generate(ask('Hello'))
    expect(response.usage).toEqual({ inputTokens: 1200, outputTokens: 7, cachedInputTokens: 1000 })
    expect(response.responseId).toMatch(/^msg_/)
    expect(response.modelId).toBe('claude-sonnet-5-5')
    expect(response.provider).toBe('anthropic')
  })

  it('maps max_tokens to length and refusal to content-filter', async () => {
    server.reply({ type: 'answer', text: 'Once upon a', finishReason: 'length' })
    server.reply({ type: 'answer', text: '', finishReason: 'content-filter' })
    expect((await model().generate(ask('A story'))).finishReason).toBe('length')
    expect((await model().generate(ask('Something refused'))).finishReason).toBe('content-filter')
  })

  it('streams text and tool calls with their ids, then one finish part', async () => {
    server.reply({
      type: 'answer',
      text: 'Checking the weather.',
      toolCalls: [{ id: 'toolu_01stream', name: 'get_weather', input: { city: 'Paris' } }],
      usage: { inputTokens: 30, outputTokens: 20 },
    })
    const parts = await readAll(model().stream(ask('Weather in Paris?', { tools: [weatherTool] })))
    expect(parts.filter((part) => part.type === 'finish')).toHaveLength(1)
    const finish = parts.at(-1)
    expect(finish?.type).toBe('finish')
    if (finish?.type !== 'finish') return
    expect(finish.response.content).toEqual([
      { type: 'text', text: 'Checking the weather.' },
      {
        type: 'tool-call',
        toolCallId: 'toolu_01stream',
        toolName: 'get_weather',
        input: { city: 'Paris' },
      },
    ])
    expect(finish.response.finishReason).toBe('tool-calls')
    expect(finish.response.usage).toMatchObject({ inputTokens: 30, outputTokens: 20 })
    expect(finish.response.responseId).toMatch(/^msg_/)
    expect(server.requests[0]?.body.stream).toBe(true)
  })

  it('529 overloaded_error → ModelCallError server-error, retryable', async () => {
    server.reply({ type: 'error', status: 529 })
    const error = await errorOf(() => model().generate(ask('Hello')))
    expect(ModelCallError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ failure: 'server-error', retryable: true, statusCode: 529 })
    expect((error as Error).message).toContain('overloaded_error')
  })

  it('a 429 for the spend limit (error_code enforced_spend_limit_reached) is not retryable', async () => {
    server.reply(
      { type: 'error', status: 429, errorType: 'enforced_spend_limit_reached' },
      { type: 'error', status: 429, retryAfter: 30 },
    )
    const spendLimit = await errorOf(() => model().generate(ask('1')))
    const rateLimit = await errorOf(() => model().generate(ask('2')))
    expect(spendLimit).toMatchObject({ failure: 'rate-limited', retryable: false, statusCode: 429 })
    expect(rateLimit).toMatchObject({
      failure: 'rate-limited',
      retryable: true,
      retryAfterMs: 30_000,
    })
  })

  it('an error event in the middle of a stream → ModelCallError by its error type', async () => {
    server.replyStreamError('overloaded_error', 'Overloaded')
    const stream = model().stream(ask('Hello'))
    const error = await errorOf(() => readAll(stream))
    expect(ModelCallError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ failure: 'server-error', retryable: true })
  })

  it('the prompt-too-long 400 → PromptTooLongError with its token counts', async () => {
    server.reply({ type: 'error', status: 400, errorType: 'context_length_exceeded' })
    const error = await errorOf(() => model().generate(ask('A very long prompt')))
    expect(PromptTooLongError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ tokens: 208_310, limit: 200_000 })
  })

  it('403 permission_error → authentication; 402 billing_error and other 400s → bad-request, not retryable', async () => {
    server.reply(
      { type: 'error', status: 403 },
      { type: 'error', status: 402 },
      { type: 'error', status: 400 },
    )
    const forbidden = await errorOf(() => model().generate(ask('1')))
    const billing = await errorOf(() => model().generate(ask('2')))
    const invalid = await errorOf(() => model().generate(ask('3')))
    expect(forbidden).toMatchObject({
      failure: 'authentication',
      retryable: false,
      statusCode: 403,
    })
    expect(billing).toMatchObject({ failure: 'bad-request', retryable: false, statusCode: 402 })
    expect(invalid).toMatchObject({ failure: 'bad-request', retryable: false, statusCode: 400 })
  })

  it('a request that outlives the timeout → ModelCallError timeout', async () => {
    server.reply({ type: 'hang' })
    const slow = createAnthropic({ baseURL: server.url, apiKey: 'sk-ant-key-2', timeout: 100 })(
      'claude-sonnet-5-5',
    )
    const error = await errorOf(() => slow.generate(ask('Hello')))
    expect(error).toMatchObject({ failure: 'timeout', retryable: true })
  })

  it('an unreachable server → ModelCallError network', async () => {
    const closed = await createAnthropicWireServer()
    await closed.close()
    const error = await errorOf(() =>
      createAnthropic({ baseURL: closed.url, apiKey: 'sk-ant-key-2' })(
        'claude-sonnet-5-5',
      ).generate(ask('Hello')),
    )
    expect(error).toMatchObject({ failure: 'network', retryable: true })
  })
})

describe('anthropic provider: bad input', () => {
  it('a tool whose input schema is not an object → UnsupportedSchemaError, before any request', async () => {
    const server = await createAnthropicWireServer()
    try {
      const model = createAnthropic({ baseURL: server.url, apiKey: 'k' })('claude-sonnet-5-5')
      const error = await errorOf(() =>
        model.generate(ask('Hi', { tools: [{ name: 'list', inputSchema: { type: 'array' } }] })),
      )
      expect(UnsupportedSchemaError.isInstance(error)).toBe(true)
      expect((error as Error).message).toContain('"list"')
      expect(server.requests).toHaveLength(0)
    } finally {
      await server.close()
    }
  })

  it('a toolChoice naming no tool of the request, or a system message without text → InvalidArgumentError', async () => {
    const model = createAnthropic({ apiKey: 'k', baseURL: 'http://127.0.0.1:9' })(
      'claude-sonnet-5-5',
    )
    const unknownTool = await errorOf(() =>
      model.generate(
        ask('Hi', { tools: [weatherTool], toolChoice: { type: 'tool', toolName: 'nope' } }),
      ),
    )
    expect(InvalidArgumentError.isInstance(unknownTool)).toBe(true)
    expect((unknownTool as Error).message).toContain('request.toolChoice')
    const badSystem = await errorOf(() =>
      model.generate({ messages: [{ role: 'system', content: [] as unknown as string }] }),
    )
    expect(InvalidArgumentError.isInstance(badSystem)).toBe(true)
    expect((badSystem as Error).message).toContain('request.messages[0].content')
  })

  it('settings: a client together with apiKey, a bad timeout, an empty model id → InvalidArgumentError', () => {
    const client = new Anthropic({ apiKey: 'k', maxRetries: 0 })
    expect(() => createAnthropic({ client, apiKey: 'k' })).toThrow(/settings.apiKey/)
    expect(() => createAnthropic({ timeout: -1 })).toThrow(/settings.timeout/)
    expect(() => createAnthropic({ apiKey: 'k' })('')).toThrow(/modelId/)
    expect(() =>
      createAnthropic({ apiKey: 'k' })('claude-sonnet-5-5', { maxOutputTokens: 0 }),
    ).toThrow(/maxOutputTokens/)
  })
})
