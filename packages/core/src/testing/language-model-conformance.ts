import { afterAll, beforeAll, beforeEach, describe, expect, it, type TestContext } from 'vitest'
import { z } from 'zod'
import { ModelCallError } from '../errors/model-call-error'
import { PromptTooLongError } from '../errors/prompt-too-long-error'
import { UnknownModelError } from '../errors/unknown-model-error'
import type {
  LanguageModelV1,
  ModelRequest,
  ModelResponse,
  ModelStreamPart,
  ModelTool,
} from '../ports/language-model-v1'
import { toJsonSchema } from '../registry/json-schema'
import { errorOf } from './fixtures'
import { readModelStream } from './read-model-stream'
import { responseText } from './response-text'
import type { ModelWireServer } from './model-wire-reply'

/**
 * The tests of {@link describeLanguageModelConformance}, by name (the keys of its `skip` option).
 *
 * With a wire server every test runs, scripted. Without one (a real local model) the suite runs
 * `metadata`, `text`, `stream-text`, `abort-generate`, `abort-stream`, and, when the model's
 * capabilities say so, `structured-output` and `tool-call`.
 */
export type LanguageModelConformanceTest =
  | 'metadata'
  | 'text'
  | 'conversation'
  | 'tool-call'
  | 'structured-output'
  | 'stream-text'
  | 'stream-tool-call'
  | 'abort-generate'
  | 'abort-stream'
  | 'rate-limited'
  | 'server-error'
  | 'authentication'
  | 'malformed-response'
  | 'malformed-stream'
  | 'unknown-model'
  | 'prompt-too-long'

/** How to run the language-model conformance suite against one model configuration. */
export interface LanguageModelConformanceOptions {
  /** Shown in the test names, e.g. `openai (own client)`. */
  name: string
  /** Creates the model under test; called once for the suite. */
  createModel(): LanguageModelV1 | Promise<LanguageModelV1>
  /** A local wire server backing the model: the scripted tests run only with one. */
  server?: Pick<ModelWireServer, 'reply' | 'requests' | 'reset'>
  /** Tests to skip, by name, each with the written reason (shown in the test title). */
  skip?: Partial<Record<LanguageModelConformanceTest, string>>
  /** Called after the suite. */
  cleanup?(): Promise<void> | void
  /**
   * Time allowed for each test and for `createModel`, in ms. Default 10 s with a server and
   * 5 minutes without one (a real model on a small machine).
   */
  timeoutMs?: number
}

const weatherTool: ModelTool = {
  name: 'get_weather',
  description: 'The weather forecast for a city.',
  inputSchema: {
    type: 'object',
    properties: { city: { type: 'string' }, days: { type: 'integer' } },
    required: ['city'],
    additionalProperties: false,
  },
}

const tripSchema = {
  type: 'object',
  properties: { city: { type: 'string' }, days: { type: 'integer' } },
  required: ['city', 'days'],
  additionalProperties: false,
}

const ask = (content: string, extra: Partial<ModelRequest> = {}): ModelRequest => ({
  messages: [{ role: 'user', content }],
  ...extra,
})

/** Checks the stream's shape: exactly one `finish` part, and it came last. Returns its response. */
function finishOf(parts: ModelStreamPart[]): ModelResponse {
  const finishes = parts.filter((part) => part.type === 'finish')
  expect(finishes, 'exactly one finish part').toHaveLength(1)
  const last = parts.at(-1)
  expect(last?.type, 'the finish part comes last').toBe('finish')
  return (last as Extract<ModelStreamPart, { type: 'finish' }>).response
}

function textDeltasOf(parts: ModelStreamPart[]): string {
  return parts
    .filter((part) => part.type === 'text-delta')
    .map((part) => part.delta)
    .join('')
}

/** Waits until the server has received `count` requests (the model is mid-call). */
async function untilRequests(
  server: Pick<ModelWireServer, 'requests'>,
  count: number,
): Promise<void> {
  const deadline = Date.now() + 5000
  while (server.requests.length < count) {
    if (Date.now() > deadline) {
      throw new Error(
        `Expected the wire server to receive request ${count}, but it has ${server.requests.length} after 5 s`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

function expectModelCallError(
  error: unknown,
  model: LanguageModelV1,
  expected: { failure: string; retryable: boolean; statusCode?: number },
): asserts error is ModelCallError {
  expect(ModelCallError.isInstance(error), `expected a ModelCallError, got ${String(error)}`).toBe(
    true,
  )
  const modelError = error as ModelCallError
  expect(modelError.failure).toBe(expected.failure)
  expect(modelError.retryable).toBe(expected.retryable)
  expect(modelError.provider).toBe(model.provider)
  expect(modelError.modelId).toBe(model.modelId)
  if (expected.statusCode !== undefined) expect(modelError.statusCode).toBe(expected.statusCode)
}

/**
 * The `LanguageModelV1` conformance suite. Every provider runs it, the scripted model included;
 * a provider's test file calls it once per configuration (settings, own client, ...).
 *
 * With a `server` (the vendor's wire protocol on a local port, scripted with `ModelWireReply`s)
 * it checks answers, conversations, tool calls, structured output, streaming, aborts and the
 * mapping of every failure to core's typed errors; it asserts only on what the model returns and
 * on how many requests reached the server (providers do not retry on their own). Without a server
 * it runs the tests a real model can pass: a text answer, streaming, aborts, and structured output
 * and forced tool calls when `capabilities` declare them.
 *
 * @example
 * ```ts
 * import { describeLanguageModelConformance } from '@tessera/core/testing'
 * const server = await createOpenAIWireServer()
 * describeLanguageModelConformance({
 *   name: 'openai (settings)',
 *   server,
 *   createModel: () => createOpenAI({ apiKey: 'test', baseURL: server.url })('gpt-4o-mini'),
 *   cleanup: () => server.close(),
 * })
 * ```
 */
export function describeLanguageModelConformance(options: LanguageModelConformanceOptions): void {
  const server = options.server
  const timeout = options.timeoutMs ?? (server ? 10_000 : 300_000)

  describe(`LanguageModelV1 conformance: ${options.name}`, () => {
    let model: LanguageModelV1
    beforeAll(async () => {
      model = await options.createModel()
    }, timeout)
    afterAll(async () => {
      await options.cleanup?.()
    })
    if (server) {
      beforeEach(() => {
        server.reset()
      })
    }

    /** Declares one test, or a skipped one whose title carries the reason. */
    const test = (
      name: LanguageModelConformanceTest,
      title: string,
      body: (context: TestContext) => Promise<void> | void,
    ): void => {
      const reason = options.skip?.[name]
      if (reason !== undefined) it.skip(`${name}: ${title} (skipped: ${reason})`, () => {})
      else it(`${name}: ${title}`, body, timeout)
    }

    test(
      'metadata',
      'declares itself as a v1 model with a provider, an id and capabilities',
      () => {
        expect(model.specificationVersion).toBe('v1')
        expect(typeof model.provider).toBe('string')
        expect(model.provider.length).toBeGreaterThan(0)
        expect(typeof model.modelId).toBe('string')
        expect(typeof model.capabilities.tools).toBe('boolean')
        expect(typeof model.capabilities.structuredOutput).toBe('boolean')
        expect(typeof model.capabilities.streaming).toBe('boolean')
      },
    )

    if (server) describeScripted(server, () => model, test)
    else describeLive(() => model, test)
  })
}

type DeclareTest = (
  name: LanguageModelConformanceTest,
  title: string,
  body: (context: TestContext) => Promise<void> | void,
) => void

/** The tests against a scripted wire server. */
function describeScripted(
  server: Pick<ModelWireServer, 'reply' | 'requests' | 'reset'>,
  modelOf: () => LanguageModelV1,
  test: DeclareTest,
): void {
  test('text', 'answers text, with usage and finish reason stop', async () => {
    const model = modelOf()
    server.reply({
      type: 'answer',
      text: 'Hello from the wire.',
      usage: { inputTokens: 11, outputTokens: 5 },
    })
    const response = await model.generate(ask('Say hello.'))
    expect(response.content).toEqual([{ type: 'text', text: 'Hello from the wire.' }])
    expect(response.finishReason).toBe('stop')
    expect(response.usage).toMatchObject({ inputTokens: 11, outputTokens: 5 })
    expect(typeof response.modelId).toBe('string')
    expect(response.provider).toBe(model.provider)
    expect(server.requests).toHaveLength(1)
  })

  test(
    'conversation',
    'accepts system, user, assistant (tool call) and tool messages, and answers',
    async () => {
      const model = modelOf()
      server.reply({ type: 'answer', text: 'It is sunny in Paris, 24 °C.' })
      const response = await model.generate({
        messages: [
          { role: 'system', content: 'You are a weather assistant. Answer briefly.' },
          { role: 'user', content: [{ type: 'text', text: 'What is the weather in Paris?' }] },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Let me look that up.' },
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
                output: { sky: 'sunny', celsius: 24 },
              },
            ],
          },
        ],
        tools: [weatherTool],
      })
      expect(responseText(response)).toBe('It is sunny in Paris, 24 °C.')
      expect(response.finishReason).toBe('stop')
      expect(server.requests).toHaveLength(1)
    },
  )

  test(
    'tool-call',
    'returns tool calls as tool-call parts with parsed input, finish reason tool-calls',
    async () => {
      const model = modelOf()
      server.reply({
        type: 'answer',
        toolCalls: [
          { id: 'call_paris', name: 'get_weather', input: { city: 'Paris', days: 2 } },
          { id: 'call_oslo', name: 'get_weather', input: { city: 'Oslo' } },
        ],
      })
      const response = await model.generate(
        ask('Weather in Paris and Oslo?', { tools: [weatherTool] }),
      )
      const calls = response.content.filter((part) => part.type === 'tool-call')
      expect(calls).toEqual([
        {
          type: 'tool-call',
          toolCallId: expect.any(String),
          toolName: 'get_weather',
          input: { city: 'Paris', days: 2 },
        },
        {
          type: 'tool-call',
          toolCallId: expect.any(String),
          toolName: 'get_weather',
          input: { city: 'Oslo' },
        },
      ])
      expect(calls[0]?.toolCallId).not.toBe(calls[1]?.toolCallId)
      expect(response.finishReason).toBe('tool-calls')
    },
  )

  test(
    'structured-output',
    'returns JSON text that parses to the answer for a responseFormat',
    async () => {
      const model = modelOf()
      server.reply({ type: 'answer', json: { city: 'Oslo', days: 3 } })
      const response = await model.generate(
        ask('Plan a trip.', { responseFormat: { type: 'json', schema: tripSchema, name: 'trip' } }),
      )
      expect(JSON.parse(responseText(response))).toEqual({ city: 'Oslo', days: 3 })
      expect(response.finishReason).toBe('stop')
    },
  )

  test(
    'stream-text',
    'streams text deltas that join to the final text, then exactly one finish part',
    async () => {
      const model = modelOf()
      const text = 'The quick brown fox jumps over the lazy dog, twice.'
      server.reply({ type: 'answer', text, usage: { inputTokens: 9, outputTokens: 12 } })
      const { parts, error } = await readModelStream(model.stream(ask('Tell me about the fox.')))
      expect(error).toBeUndefined()
      const response = finishOf(parts)
      expect(textDeltasOf(parts)).toBe(text)
      expect(responseText(response)).toBe(text)
      expect(response.finishReason).toBe('stop')
      expect(response.usage).toMatchObject({ inputTokens: 9, outputTokens: 12 })
      expect(response.provider).toBe(model.provider)
    },
  )

  test(
    'stream-tool-call',
    'streams tool-call deltas, then the parsed call in the finish response',
    async () => {
      const model = modelOf()
      const input = { city: 'Paris', days: 3 }
      server.reply({
        type: 'answer',
        toolCalls: [{ id: 'call_stream', name: 'get_weather', input }],
      })
      const { parts, error } = await readModelStream(
        model.stream(ask('Weather in Paris?', { tools: [weatherTool] })),
      )
      expect(error).toBeUndefined()
      const response = finishOf(parts)
      const calls = response.content.filter((part) => part.type === 'tool-call')
      expect(calls).toEqual([
        { type: 'tool-call', toolCallId: expect.any(String), toolName: 'get_weather', input },
      ])
      const deltas = parts.filter((part) => part.type === 'tool-call-delta')
      expect(deltas.length).toBeGreaterThan(0)
      for (const delta of deltas) {
        expect(delta).toMatchObject({ toolCallId: calls[0]?.toolCallId, toolName: 'get_weather' })
      }
      expect(JSON.parse(deltas.map((delta) => delta.inputDelta).join(''))).toEqual(input)
      expect(response.finishReason).toBe('tool-calls')
    },
  )

  test(
    'abort-generate',
    'rejects generate() with the signal’s reason when aborted mid-call',
    async () => {
      const model = modelOf()
      server.reply({ type: 'hang' })
      const controller = new AbortController()
      const reason = new Error('conformance: aborted by the caller')
      const call = errorOf(() =>
        model.generate(ask('Take your time.', { signal: controller.signal })),
      )
      await untilRequests(server, 1)
      controller.abort(reason)
      expect(await call).toBe(reason)
    },
  )

  test('abort-stream', 'ends stream() with the signal’s reason when aborted mid-call', async () => {
    const model = modelOf()
    server.reply({ type: 'hang' })
    const controller = new AbortController()
    const reason = new Error('conformance: stream aborted by the caller')
    const reading = readModelStream(
      model.stream(ask('Take your time.', { signal: controller.signal })),
    )
    await untilRequests(server, 1)
    controller.abort(reason)
    const { parts, error } = await reading
    expect(error).toBe(reason)
    expect(parts.filter((part) => part.type === 'finish')).toHaveLength(0)
  })

  test(
    'rate-limited',
    '429 with Retry-After: 2 → ModelCallError rate-limited, retryable, retryAfterMs 2000',
    async () => {
      const model = modelOf()
      server.reply({ type: 'error', status: 429, retryAfter: 2, message: 'Slow down.' })
      const error = await errorOf(() => model.generate(ask('Hello')))
      expectModelCallError(error, model, {
        failure: 'rate-limited',
        retryable: true,
        statusCode: 429,
      })
      expect(error.retryAfterMs).toBe(2000)
      expect(server.requests, 'providers do not retry on their own').toHaveLength(1)
    },
  )

  test('server-error', '500 → ModelCallError server-error, retryable', async () => {
    const model = modelOf()
    server.reply({ type: 'error', status: 500 })
    const error = await errorOf(() => model.generate(ask('Hello')))
    expectModelCallError(error, model, {
      failure: 'server-error',
      retryable: true,
      statusCode: 500,
    })
    expect(server.requests, 'providers do not retry on their own').toHaveLength(1)
  })

  test('authentication', '401 → ModelCallError authentication, not retryable', async () => {
    const model = modelOf()
    server.reply({ type: 'error', status: 401 })
    const error = await errorOf(() => model.generate(ask('Hello')))
    expectModelCallError(error, model, {
      failure: 'authentication',
      retryable: false,
      statusCode: 401,
    })
  })

  test(
    'malformed-response',
    'a body that is not the vendor’s format → ModelCallError malformed-response',
    async () => {
      const model = modelOf()
      server.reply({ type: 'malformed' })
      const error = await errorOf(() => model.generate(ask('Hello')))
      expectModelCallError(error, model, { failure: 'malformed-response', retryable: true })
    },
  )

  test('malformed-stream', 'a stream cut off mid-event throws a ModelCallError', async () => {
    const model = modelOf()
    server.reply({ type: 'malformed' })
    const { parts, error } = await readModelStream(model.stream(ask('Hello')))
    expect(
      ModelCallError.isInstance(error),
      `expected a ModelCallError, got ${String(error)}`,
    ).toBe(true)
    expect(parts.filter((part) => part.type === 'finish')).toHaveLength(0)
  })

  test('unknown-model', 'a 404 model-not-found → UnknownModelError', async () => {
    const model = modelOf()
    server.reply({
      type: 'error',
      status: 404,
      errorType: 'model_not_found',
      message: `The model \`${model.modelId}\` does not exist.`,
    })
    const error = await errorOf(() => model.generate(ask('Hello')))
    expect(
      UnknownModelError.isInstance(error),
      `expected UnknownModelError, got ${String(error)}`,
    ).toBe(true)
    expect(error).toMatchObject({
      provider: model.provider,
      modelId: model.modelId,
      retryable: false,
    })
  })

  test('prompt-too-long', 'the vendor’s context-length error → PromptTooLongError', async () => {
    const model = modelOf()
    server.reply({ type: 'error', status: 400, errorType: 'context_length_exceeded' })
    const error = await errorOf(() => model.generate(ask('A very long prompt …')))
    expect(
      PromptTooLongError.isInstance(error),
      `expected PromptTooLongError, got ${String(error)}`,
    ).toBe(true)
    expect(error).toMatchObject({
      provider: model.provider,
      modelId: model.modelId,
      retryable: false,
    })
  })
}

// Strings are bounded: a grammar-constrained small model may otherwise fill a string until the
// output token limit cuts the JSON off, which says nothing about the provider.
const personSchema = z.object({ name: z.string().max(40), age: z.number().int() })
const weatherInputSchema = z.object({
  city: z.string().max(40),
  days: z.number().int().optional(),
})

/** The tests a real model (no wire server) can pass. */
function describeLive(modelOf: () => LanguageModelV1, test: DeclareTest): void {
  test('text', 'answers a non-empty text with token usage', async () => {
    const model = modelOf()
    const response = await model.generate(
      ask('Reply with one short sentence greeting the reader.', { maxOutputTokens: 64 }),
    )
    expect(responseText(response).trim().length).toBeGreaterThan(0)
    expect(response.usage.inputTokens).toBeGreaterThan(0)
    expect(response.usage.outputTokens).toBeGreaterThan(0)
    expect(['stop', 'length']).toContain(response.finishReason)
    expect(response.provider).toBe(model.provider)
  })

  test(
    'stream-text',
    'streams text deltas that join to the final text, then exactly one finish part',
    async () => {
      const model = modelOf()
      const { parts, error } = await readModelStream(
        model.stream(ask('Count from one to five in words.', { maxOutputTokens: 64 })),
      )
      expect(error).toBeUndefined()
      const response = finishOf(parts)
      expect(responseText(response).length).toBeGreaterThan(0)
      expect(textDeltasOf(parts)).toBe(responseText(response))
    },
  )

  test('abort-generate', 'rejects generate() with the signal’s reason when aborted', async () => {
    const model = modelOf()
    const controller = new AbortController()
    const reason = new Error('conformance: aborted by the caller')
    const call = errorOf(() =>
      model.generate(
        ask('Write a long story about a lighthouse keeper, at least 400 words.', {
          maxOutputTokens: 1024,
          signal: controller.signal,
        }),
      ),
    )
    setTimeout(() => controller.abort(reason), 50)
    expect(await call).toBe(reason)
  })

  test(
    'abort-stream',
    'ends stream() with the signal’s reason when aborted after the first delta',
    async () => {
      const model = modelOf()
      const controller = new AbortController()
      const reason = new Error('conformance: stream aborted by the caller')
      const { parts, error } = await readModelStream(
        model.stream(
          ask('Write a long story about a lighthouse keeper, at least 400 words.', {
            maxOutputTokens: 1024,
            signal: controller.signal,
          }),
        ),
        (part) => {
          if (part.type !== 'finish') controller.abort(reason)
        },
      )
      expect(error).toBe(reason)
      expect(parts.filter((part) => part.type === 'finish')).toHaveLength(0)
    },
  )

  test('structured-output', 'returns JSON valid for the responseFormat schema', async (context) => {
    const model = modelOf()
    if (!model.capabilities.structuredOutput) {
      context.skip('the model declares no structured output')
    }
    const response = await model.generate(
      ask('Invent a person. Give their name and age.', {
        responseFormat: { type: 'json', schema: toJsonSchema(personSchema), name: 'person' },
        maxOutputTokens: 256,
      }),
    )
    const parsed = personSchema.safeParse(JSON.parse(responseText(response)))
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true)
  })

  test(
    'tool-call',
    'a forced toolChoice yields a tool-call part whose input is valid for the tool',
    async (context) => {
      const model = modelOf()
      if (!model.capabilities.tools) {
        context.skip('the model declares no tools')
      }
      const response = await model.generate(
        ask('What is the weather in Paris?', {
          tools: [{ ...weatherTool, inputSchema: toJsonSchema(weatherInputSchema) }],
          toolChoice: { type: 'tool', toolName: 'get_weather' },
          maxOutputTokens: 256,
        }),
      )
      const call = response.content.find((part) => part.type === 'tool-call')
      expect(call, 'a tool-call part').toBeDefined()
      expect(call?.toolName).toBe('get_weather')
      const parsed = weatherInputSchema.safeParse(call?.input)
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true)
    },
  )
}
