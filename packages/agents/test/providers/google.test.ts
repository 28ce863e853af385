import { GoogleGenAI } from '@google/genai'
import { createGoogle, google, toGeminiJsonSchema } from '../../src/providers/google'
import {
  InvalidArgumentError,
  ModelCallError,
  PromptTooLongError,
  UnsupportedSchemaError,
  type LanguageModelV1,
  type ModelRequest,
  type ModelStreamPart,
  type ModelTool,
} from '@tessera/core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  createGoogleWireServer,
  readGoogleFixture,
  type GoogleWireServer,
} from '../wire/google-wire-server'
import { ask, describeWireConformance, errorOf, readAll } from './model-test-helpers'

describeWireConformance(
  'google (settings: baseURL and apiKey)',
  await createGoogleWireServer(),
  (server) => createGoogle({ apiKey: 'test-key', baseURL: server.url })('gemini-2.5-flash'),
)

describeWireConformance(
  'google (own GoogleGenAI client)',
  await createGoogleWireServer(),
  (server) =>
    createGoogle({
      client: new GoogleGenAI({
        apiKey: 'own-client-key',
        vertexai: false,
        httpOptions: { baseUrl: server.url },
      }),
    })('gemini-2.5-flash'),
)

const weatherTool: ModelTool = {
  name: 'get_weather',
  description: 'The weather forecast for a city.',
  inputSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: { city: { type: 'string' }, unit: { const: 'celsius' } },
    required: ['city'],
    additionalProperties: false,
  },
}

describe('google provider: the requests the SDK sends', () => {
  let server: GoogleWireServer
  let model: LanguageModelV1
  beforeAll(async () => {
    server = await createGoogleWireServer()
    model = createGoogle({
      apiKey: 'secret-key',
      baseURL: `${server.url}/v1beta`,
      headers: { 'x-team': 'search' },
    })('gemini-2.5-flash')
  })
  afterEach(() => server.reset())
  afterAll(() => server.close())

  it('posts to models/<id>:generateContent with the API key header and the headers', async () => {
    server.reply({ type: 'answer', text: 'Hi' })
    await model.generate(ask('Hello', { headers: { 'x-request': 'r1' } }))
    const [request] = server.requests
    expect(request?.method).toBe('POST')
    expect(request?.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent')
    expect(request?.headers['x-goog-api-key']).toBe('secret-key')
    expect(request?.headers['x-team']).toBe('search')
    expect(request?.headers['x-request']).toBe('r1')
    expect(request?.body.contents).toEqual([{ role: 'user', parts: [{ text: 'Hello' }] }])
  })

  it('streams from :streamGenerateContent?alt=sse', async () => {
    server.reply({ type: 'answer', text: 'Hi there' })
    await readAll(model.stream(ask('Hello')))
    expect(server.requests[0]?.path).toBe(
      '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    )
  })

  it('puts system messages in systemInstruction and the sampling settings in generationConfig', async () => {
    server.reply({ type: 'answer', text: 'Bonjour' })
    await model.generate({
      messages: [
        { role: 'system', content: 'Answer in French.' },
        { role: 'user', content: 'Hello' },
        { role: 'system', content: 'Be brief.' },
      ],
      temperature: 0.2,
      topP: 0.9,
      maxOutputTokens: 100,
      stopSequences: ['END'],
      seed: 7,
    })
    const body = server.requests[0]?.body
    expect(body.systemInstruction).toEqual({
      parts: [{ text: 'Answer in French.' }, { text: 'Be brief.' }],
    })
    expect(body.contents).toEqual([{ role: 'user', parts: [{ text: 'Hello' }] }])
    expect(body.generationConfig).toEqual({
      temperature: 0.2,
      topP: 0.9,
      maxOutputTokens: 100,
      stopSequences: ['END'],
      seed: 7,
    })
    // The SDK's client-side options stay on the client.
    expect(JSON.stringify(body)).not.toMatch(/automaticFunctionCalling|automaticContinuation/)
  })

  it('sends tool calls as functionCall parts of a model turn and results as functionResponse parts of a user turn', async () => {
    server.reply({ type: 'answer', text: 'Sunny.' })
    await model.generate({
      messages: [
        { role: 'user', content: 'Weather in Paris and Oslo?' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Looking.' },
            {
              type: 'tool-call',
              toolCallId: 'c1',
              toolName: 'get_weather',
              input: { city: 'Paris' },
            },
            {
              type: 'tool-call',
              toolCallId: 'c2',
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
              toolCallId: 'c1',
              toolName: 'get_weather',
              output: { sky: 'sunny' },
            },
            {
              type: 'tool-result',
              toolCallId: 'c2',
              toolName: 'get_weather',
              output: 'station offline',
              isError: true,
            },
          ],
        },
        { role: 'user', content: 'And be quick.' },
      ],
      tools: [weatherTool],
    })
    expect(server.requests[0]?.body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris and Oslo?' }] },
      {
        role: 'model',
        parts: [
          { text: 'Looking.' },
          { functionCall: { id: 'c1', name: 'get_weather', args: { city: 'Paris' } } },
          { functionCall: { id: 'c2', name: 'get_weather', args: { city: 'Oslo' } } },
        ],
      },
      {
        // The tool results and the next user message make one user turn.
        role: 'user',
        parts: [
          {
            functionResponse: {
              id: 'c1',
              name: 'get_weather',
              response: { output: { sky: 'sunny' } },
            },
          },
          {
            functionResponse: {
              id: 'c2',
              name: 'get_weather',
              response: { error: 'station offline' },
            },
          },
          { text: 'And be quick.' },
        ],
      },
    ])
  })

  it('declares tools as functionDeclarations with their JSON Schema in parametersJsonSchema', async () => {
    server.reply({ type: 'answer', text: 'ok' })
    await model.generate(ask('Weather?', { tools: [weatherTool] }))
    expect(server.requests[0]?.body.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: 'get_weather',
            description: 'The weather forecast for a city.',
            parametersJsonSchema: {
              type: 'object',
              properties: { city: { type: 'string' }, unit: { enum: ['celsius'] } },
              required: ['city'],
              additionalProperties: false,
            },
          },
        ],
      },
    ])
    expect(server.requests[0]?.body.toolConfig).toBeUndefined()
  })

  it.each([
    ['auto', { mode: 'AUTO' }],
    ['required', { mode: 'ANY' }],
    ['none', { mode: 'NONE' }],
    [
      { type: 'tool', toolName: 'get_weather' },
      { mode: 'ANY', allowedFunctionNames: ['get_weather'] },
    ],
  ] as const)('maps toolChoice %j to functionCallingConfig %j', async (toolChoice, expected) => {
    server.reply({ type: 'answer', text: 'ok' })
    await model.generate(ask('Weather?', { tools: [weatherTool], toolChoice }))
    expect(server.requests[0]?.body.toolConfig).toEqual({ functionCallingConfig: expected })
  })

  it('rejects a toolChoice naming no tool, before any request', async () => {
    const error = await errorOf(() =>
      model.generate(
        ask('Weather?', { tools: [weatherTool], toolChoice: { type: 'tool', toolName: 'nope' } }),
      ),
    )
    expect(InvalidArgumentError.isInstance(error)).toBe(true)
    expect(String(error)).toMatch(/get_weather/)
    expect(server.requests).toHaveLength(0)
  })

  it('asks for JSON with responseMimeType and responseJsonSchema', async () => {
    server.reply({ type: 'answer', json: { city: 'Oslo', days: 3 } })
    await model.generate(
      ask('Plan a trip.', {
        responseFormat: {
          type: 'json',
          name: 'trip',
          schema: {
            $schema: 'https://json-schema.org/draft/2020-12/schema',
            type: 'object',
            properties: {
              city: { type: 'string', description: 'Where' },
              days: { type: 'integer', minimum: 1 },
              leg: { $ref: '#/$defs/leg', description: 'The first leg' },
            },
            required: ['city', 'days'],
            $defs: { leg: { type: 'object', properties: { by: { enum: ['train', 'boat'] } } } },
          },
        },
      }),
    )
    expect(server.requests[0]?.body.generationConfig).toEqual({
      responseMimeType: 'application/json',
      responseJsonSchema: {
        type: 'object',
        properties: {
          city: { type: 'string', description: 'Where' },
          days: { type: 'integer', minimum: 1 },
          // Gemini allows nothing beside a $ref.
          leg: { anyOf: [{ $ref: '#/$defs/leg' }], description: 'The first leg' },
        },
        required: ['city', 'days'],
        $defs: { leg: { type: 'object', properties: { by: { enum: ['train', 'boat'] } } } },
      },
    })
  })

  it('throws UnsupportedSchemaError naming the path for what Gemini cannot express, before any request', async () => {
    const intersection = await errorOf(() =>
      model.generate(
        ask('Plan a trip.', {
          responseFormat: {
            type: 'json',
            schema: {
              type: 'object',
              properties: { stay: { allOf: [{ type: 'object' }, { required: ['nights'] }] } },
            },
          },
        }),
      ),
    )
    expect(UnsupportedSchemaError.isInstance(intersection)).toBe(true)
    expect(intersection).toMatchObject({ provider: 'google', path: '/properties/stay/allOf' })

    const booleanEnum = await errorOf(() =>
      model.generate(
        ask('Weather?', {
          tools: [
            {
              name: 'toggle',
              inputSchema: { type: 'object', properties: { on: { enum: [true, false] } } },
            },
          ],
        }),
      ),
    )
    expect(booleanEnum).toMatchObject({ path: '/properties/on/enum/0' })
    expect(String(booleanEnum)).toMatch(/tool "toggle"/)
    expect(server.requests).toHaveLength(0)
  })

  it('passes providerOptions.google and model settings into the config', async () => {
    const tuned = createGoogle({ apiKey: 'k', baseURL: server.url })('gemini-2.5-flash', {
      thinkingConfig: { thinkingBudget: 0 },
    })
    server.reply({ type: 'answer', text: 'ok' })
    await tuned.generate(ask('Hi', { providerOptions: { google: { topK: 5 } } }))
    expect(server.requests[0]?.body.generationConfig).toEqual({
      thinkingConfig: { thinkingBudget: 0 },
      topK: 5,
    })
  })
})

describe('google provider: answers', () => {
  let server: GoogleWireServer
  let model: LanguageModelV1
  beforeAll(async () => {
    server = await createGoogleWireServer({ functionCallIds: false })
    model = createGoogle({ apiKey: 'k', baseURL: server.url })('gemini-2.5-flash')
  })
  afterEach(() => server.reset())
  afterAll(() => server.close())

  it('reads the recorded text answer: text, usage with thinking tokens, model version and response id', async () => {
    server.reply({ type: 'raw', body: JSON.parse(readGoogleFixture('generate-content-text.json')) })
    const response = await model.generate(ask('Capital of France?'))
    expect(response).toEqual({
      content: [{ type: 'text', text: 'Paris is the capital of France.' }],
      finishReason: 'stop',
      // 7 answer tokens and 25 thinking tokens, both billed as output.
      usage: { inputTokens: 9, outputTokens: 32 },
      modelId: 'gemini-2.5-flash',
      provider: 'google',
      responseId: 'pBdeaMWVK4Dgz7IPxP3B2QI',
    })
  })

  it('reads the recorded stream: deltas as they came, then the whole answer', async () => {
    const chunks = readGoogleFixture('stream-generate-content-text.sse')
      .split('\r\n\r\n')
      .filter((event) => event.startsWith('data:'))
      .map((event) => JSON.parse(event.slice('data:'.length)))
    server.reply({ type: 'raw', chunks })
    const parts = await readAll(model.stream(ask('Capital of France?')))
    expect(parts.slice(0, 3)).toEqual([
      { type: 'text-delta', delta: 'Paris is' },
      { type: 'text-delta', delta: ' the capital' },
      { type: 'text-delta', delta: ' of France.' },
    ])
    expect(parts[3]).toEqual({
      type: 'finish',
      response: {
        content: [{ type: 'text', text: 'Paris is the capital of France.' }],
        finishReason: 'stop',
        usage: { inputTokens: 9, outputTokens: 32 },
        modelId: 'gemini-2.5-flash',
        provider: 'google',
        responseId: 'shdeaKnBKKjmz7IP6pSK-Ag',
      },
    })
  })

  it('reports cached prompt tokens', async () => {
    server.reply({
      type: 'answer',
      text: 'ok',
      usage: { inputTokens: 2000, outputTokens: 3, cachedInputTokens: 1500 },
    })
    const response = await model.generate(ask('Hi'))
    expect(response.usage).toEqual({ inputTokens: 2000, outputTokens: 3, cachedInputTokens: 1500 })
  })

  it('names function calls that came without ids, and pairs their results by name and order', async () => {
    server.reply({
      type: 'answer',
      toolCalls: [
        { id: 'unused-1', name: 'get_weather', input: { city: 'Paris' } },
        { id: 'unused-2', name: 'get_weather', input: { city: 'Oslo' } },
      ],
    })
    const first = await model.generate(ask('Weather in Paris and Oslo?', { tools: [weatherTool] }))
    const calls = first.content.filter((part) => part.type === 'tool-call')
    expect(calls.map((call) => call.toolCallId)).toEqual([
      `gemini-call-${first.responseId}-0`,
      `gemini-call-${first.responseId}-1`,
    ])
    expect(first.finishReason).toBe('tool-calls')

    server.reply({ type: 'answer', text: 'Sunny and cold.' })
    await model.generate({
      messages: [
        { role: 'user', content: 'Weather in Paris and Oslo?' },
        { role: 'assistant', content: first.content },
        {
          role: 'tool',
          content: calls.map((call) => ({
            type: 'tool-result' as const,
            toolCallId: call.toolCallId,
            toolName: call.toolName,
            output: 'ok',
          })),
        },
      ],
      tools: [weatherTool],
    })
    const signature = JSON.parse(readGoogleFixture('generate-content-function-call.json'))
      .candidates[0].content.parts[0].thoughtSignature
    expect(server.requests[1]?.body.contents.slice(1)).toEqual([
      {
        role: 'model',
        parts: [
          // The thought signature Gemini gave the first call goes back with it.
          {
            functionCall: { name: 'get_weather', args: { city: 'Paris' } },
            thoughtSignature: signature,
          },
          { functionCall: { name: 'get_weather', args: { city: 'Oslo' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { output: 'ok' } } },
          { functionResponse: { name: 'get_weather', response: { output: 'ok' } } },
        ],
      },
    ])
  })

  it('names calls alike in stream() and generate(), and different answers differently', async () => {
    const script = {
      type: 'answer' as const,
      toolCalls: [{ id: 'x', name: 'get_weather', input: { city: 'Rome' } }],
    }
    server.reply(script, script)
    const generated = await model.generate(ask('Rome?', { tools: [weatherTool] }))
    const parts = await readAll(model.stream(ask('Rome?', { tools: [weatherTool] })))
    const delta = parts.find((part) => part.type === 'tool-call-delta')
    const finish = parts.at(-1) as Extract<ModelStreamPart, { type: 'finish' }>
    const streamed = finish.response.content[0]
    expect(streamed).toMatchObject({ type: 'tool-call', toolCallId: delta?.toolCallId })
    expect(generated.content[0]).toMatchObject({ type: 'tool-call', toolName: 'get_weather' })
    expect((streamed as { toolCallId: string }).toolCallId).not.toBe(
      (generated.content[0] as { toolCallId: string }).toolCallId,
    )
  })

  it('sends Gemini 3 models the documented placeholder for function calls it did not sign', async () => {
    const history: ModelRequest['messages'] = [
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: [
          {
            type: 'tool-call',
            toolCallId: 'other-1',
            toolName: 'get_weather',
            input: { city: 'Lima' },
          },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool-result', toolCallId: 'other-1', toolName: 'get_weather', output: 1 },
        ],
      },
    ]
    const provider = createGoogle({ apiKey: 'k', baseURL: server.url })
    server.reply({ type: 'answer', text: 'ok' }, { type: 'answer', text: 'ok' })
    await provider('gemini-3-pro-preview').generate({ messages: history })
    await provider('gemini-2.5-flash').generate({ messages: history })
    expect(server.requests[0]?.body.contents[1].parts[0].thoughtSignature).toBe(
      'skip_thought_signature_validator',
    )
    expect(server.requests[1]?.body.contents[1].parts[0].thoughtSignature).toBeUndefined()
  })

  it('leaves thought summaries out of the text', async () => {
    server.reply({
      type: 'raw',
      body: {
        candidates: [
          {
            content: {
              role: 'model',
              parts: [{ text: 'Let me think about capitals…', thought: true }, { text: 'Paris.' }],
            },
            finishReason: 'STOP',
            index: 0,
          },
        ],
        usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2, thoughtsTokenCount: 40 },
        modelVersion: 'gemini-2.5-pro',
        responseId: 'r-thought',
      },
    })
    const response = await model.generate(ask('Capital of France?'))
    expect(response.content).toEqual([{ type: 'text', text: 'Paris.' }])
    expect(response.usage).toEqual({ inputTokens: 5, outputTokens: 42 })
    expect(response.modelId).toBe('gemini-2.5-pro')
  })

  it.each([
    ['MAX_TOKENS', 'length'],
    ['SAFETY', 'content-filter'],
    ['RECITATION', 'content-filter'],
    ['BLOCKLIST', 'content-filter'],
    ['PROHIBITED_CONTENT', 'content-filter'],
    ['MALFORMED_FUNCTION_CALL', 'error'],
    ['OTHER', 'other'],
  ])('maps finishReason %s to %s', async (finishReason, expected) => {
    const body = JSON.parse(readGoogleFixture('generate-content-text.json'))
    body.candidates[0].finishReason = finishReason
    server.reply({ type: 'raw', body })
    const response = await model.generate(ask('Hi'))
    expect(response.finishReason).toBe(expected)
  })

  it('answers a blocked prompt with no content and finish reason content-filter', async () => {
    server.reply({
      type: 'raw',
      body: JSON.parse(readGoogleFixture('generate-content-prompt-blocked.json')),
    })
    const response = await model.generate(ask('Something forbidden'))
    expect(response).toMatchObject({
      content: [],
      finishReason: 'content-filter',
      usage: { inputTokens: 12, outputTokens: 0 },
    })
  })

  it('treats a JSON body without candidates or feedback as malformed', async () => {
    server.reply({ type: 'raw', body: { hello: 'world' } })
    const error = await errorOf(() => model.generate(ask('Hi')))
    expect(error).toMatchObject({ failure: 'malformed-response', retryable: true })
  })
})

describe('google provider: errors', () => {
  let server: GoogleWireServer
  beforeAll(async () => {
    server = await createGoogleWireServer()
  })
  afterEach(() => server.reset())
  afterAll(() => server.close())
  const model = () => createGoogle({ apiKey: 'k', baseURL: server.url })('gemini-2.5-flash')

  it('reads the wait of a 429 from RetryInfo when no Retry-After header came', async () => {
    const body = JSON.parse(readGoogleFixture('error-resource-exhausted.json'))
    body.error.details[2].retryDelay = '1.5s'
    server.reply({ type: 'raw', status: 429, body })
    const error = await errorOf(() => model().generate(ask('Hi')))
    expect(error).toMatchObject({ failure: 'rate-limited', retryAfterMs: 1500, statusCode: 429 })
    expect(String(error)).toMatch(/RESOURCE_EXHAUSTED: You exceeded your current quota/)
  })

  it('reads the Retry-After header of a 429 when its body has no RetryInfo', async () => {
    const body = JSON.parse(readGoogleFixture('error-resource-exhausted.json'))
    body.error.details = body.error.details.slice(0, 2)
    server.reply({ type: 'raw', status: 429, body, headers: { 'retry-after': '3' } })
    const error = await errorOf(() => model().generate(ask('Hi')))
    expect(error).toMatchObject({ failure: 'rate-limited', retryAfterMs: 3000 })
  })

  it('maps a 400 API_KEY_INVALID to authentication', async () => {
    server.reply({ type: 'error', status: 400, errorType: 'API_KEY_INVALID' })
    const error = await errorOf(() => model().generate(ask('Hi')))
    expect(error).toMatchObject({ failure: 'authentication', retryable: false, statusCode: 400 })
  })

  it.each([
    [403, 'authentication', false],
    [400, 'bad-request', false],
    [503, 'server-error', true],
    [504, 'server-error', true],
  ] as const)('maps HTTP %i to %s', async (status, failure, retryable) => {
    server.reply({ type: 'error', status })
    const error = await errorOf(() => model().generate(ask('Hi')))
    expect(ModelCallError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ failure, retryable, statusCode: status })
  })

  it('reads the token counts of the input-token-count error', async () => {
    server.reply({ type: 'error', status: 400, errorType: 'context_length_exceeded' })
    const error = await errorOf(() => model().generate(ask('Long')))
    expect(PromptTooLongError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ tokens: 1290623, limit: 1048576 })
  })

  it('maps an error sent inside a stream', async () => {
    server.reply({
      type: 'raw',
      chunks: [
        { candidates: [{ content: { role: 'model', parts: [{ text: 'Par' }] }, index: 0 }] },
        JSON.parse(readGoogleFixture('error-unavailable.json')),
      ],
    })
    const parts: ModelStreamPart[] = []
    const error = await errorOf(() =>
      (async () => {
        for await (const part of model().stream(ask('Hi'))) parts.push(part)
      })(),
    )
    expect(parts).toEqual([{ type: 'text-delta', delta: 'Par' }])
    expect(error).toMatchObject({ failure: 'server-error', statusCode: 503 })
  })

  it('ends a stream aborted after its first delta with the signal’s reason', async () => {
    server.reply({
      type: 'raw',
      chunks: [
        { candidates: [{ content: { role: 'model', parts: [{ text: 'Par' }] }, index: 0 }] },
      ],
      keepOpen: true,
    })
    const controller = new AbortController()
    const reason = new Error('enough')
    const parts: ModelStreamPart[] = []
    const error = await errorOf(() =>
      (async () => {
        for await (const part of model().stream(ask('Hi', { signal: controller.signal }))) {
          parts.push(part)
          controller.abort(reason)
        }
      })(),
    )
    expect(error).toBe(reason)
    expect(parts).toEqual([{ type: 'text-delta', delta: 'Par' }])
  })

  it('times out a stream that stops sending', async () => {
    server.reply({
      type: 'raw',
      chunks: [
        { candidates: [{ content: { role: 'model', parts: [{ text: 'Par' }] }, index: 0 }] },
      ],
      keepOpen: true,
    })
    const stream = createGoogle({ apiKey: 'k', baseURL: server.url, timeout: 100 })(
      'gemini-2.5-flash',
    ).stream(ask('Hi'))
    const error = await errorOf(() =>
      (async () => {
        for await (const _part of stream);
      })(),
    )
    expect(error).toMatchObject({ failure: 'timeout', retryable: true })
  })

  it('times out after the timeout setting', async () => {
    server.reply({ type: 'hang' })
    const error = await errorOf(() =>
      createGoogle({ apiKey: 'k', baseURL: server.url, timeout: 50 })('gemini-2.5-flash').generate(
        ask('Hi'),
      ),
    )
    expect(error).toMatchObject({ failure: 'timeout', retryable: true })
  })

  it('maps a refused connection to network', async () => {
    const closed = await createGoogleWireServer()
    await closed.close()
    const error = await errorOf(() =>
      createGoogle({ apiKey: 'k', baseURL: closed.url })('gemini-2.5-flash').generate(ask('Hi')),
    )
    expect(error).toMatchObject({ failure: 'network', retryable: true })
  })

  it('rejects an aborted signal before sending anything', async () => {
    const reason = new Error('stopped')
    const error = await errorOf(() =>
      model().generate(ask('Hi', { signal: AbortSignal.abort(reason) })),
    )
    expect(error).toBe(reason)
    expect(server.requests).toHaveLength(0)
  })
})

describe('google provider: settings', () => {
  let server: GoogleWireServer
  const saved = { google: process.env.GOOGLE_API_KEY, gemini: process.env.GEMINI_API_KEY }
  beforeAll(async () => {
    server = await createGoogleWireServer()
  })
  afterEach(() => {
    server.reset()
    restore('GOOGLE_API_KEY', saved.google)
    restore('GEMINI_API_KEY', saved.gemini)
  })
  afterAll(() => server.close())

  it('reads GEMINI_API_KEY at the first call, not at creation', async () => {
    delete process.env.GOOGLE_API_KEY
    delete process.env.GEMINI_API_KEY
    const model = createGoogle({ baseURL: server.url })('gemini-2.5-flash')
    const missing = await errorOf(() => model.generate(ask('Hi')))
    expect(missing).toMatchObject({ failure: 'authentication', retryable: false })
    expect(String(missing)).toMatch(/GOOGLE_API_KEY or GEMINI_API_KEY/)

    process.env.GEMINI_API_KEY = 'from-environment'
    server.reply({ type: 'answer', text: 'ok' })
    await model.generate(ask('Hi'))
    expect(server.requests[0]?.headers['x-goog-api-key']).toBe('from-environment')
  })

  it('has a default instance that needs no key to import or to make a model', () => {
    const model = google('gemini-2.5-flash')
    expect(model).toMatchObject({ provider: 'google', modelId: 'gemini-2.5-flash' })
  })

  it('rejects an empty model id and a bad timeout', () => {
    expect(() => createGoogle({ apiKey: 'k' })('')).toThrow(InvalidArgumentError)
    expect(() => createGoogle({ timeout: -1 })).toThrow(/timeout/)
    const client = new GoogleGenAI({ apiKey: 'k', vertexai: false })
    expect(() => createGoogle({ client, baseURL: server.url })).toThrow(/settings\.baseURL/)
  })

  it('calls through the fetch it is given', async () => {
    const seen: string[] = []
    server.reply({ type: 'answer', text: 'ok' })
    await createGoogle({
      apiKey: 'k',
      baseURL: server.url,
      fetch: (input, init) => {
        seen.push(String(input))
        return fetch(input, init)
      },
    })('gemini-2.5-flash').generate(ask('Hi'))
    expect(seen).toEqual([`${server.url}/v1beta/models/gemini-2.5-flash:generateContent`])
  })
})

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name]
  else process.env[name] = value
}

describe('toGeminiJsonSchema', () => {
  it('moves draft-07 definitions and tuples to their 2020-12 forms', () => {
    expect(
      toGeminiJsonSchema({
        type: 'object',
        properties: {
          point: { type: 'array', items: [{ type: 'number' }, { type: 'number' }] },
          home: { $ref: '#/definitions/place' },
        },
        definitions: { place: { type: 'string' } },
      }),
    ).toEqual({
      type: 'object',
      properties: {
        point: { type: 'array', prefixItems: [{ type: 'number' }, { type: 'number' }] },
        home: { $ref: '#/$defs/place' },
      },
      $defs: { place: { type: 'string' } },
    })
  })

  it('names the path of a construct Gemini lacks, escaping it as a JSON pointer', () => {
    let error: unknown
    try {
      toGeminiJsonSchema({ type: 'object', properties: { 'a/b': { not: { type: 'null' } } } })
    } catch (caught) {
      error = caught
    }
    expect(UnsupportedSchemaError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ provider: 'google', path: '/properties/a~1b/not' })
  })
})
