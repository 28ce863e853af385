import { existsSync } from 'node:fs'
import {
  InvalidArgumentError,
  ModelCallError,
  PromptTooLongError,
  UnsupportedSchemaError,
  toJsonSchema,
  type ModelStreamPart,
  type ModelTool,
} from '@tessera/core'
import {
  describeLanguageModelConformance,
  readModelStream,
  responseText,
} from '@tessera/core/testing'
import {
  GeneralChatWrapper,
  getLlama,
  LlamaLogLevel,
  type ChatHistoryItem,
  type ChatWrapperGenerateContextStateOptions,
  type Llama,
} from 'node-llama-cpp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createLlamaCpp, type LlamaCppProvider } from '../../src/providers/llama-cpp'
import { narrowNumbers, numberRules } from '../../src/providers/llama-cpp/create-answer-grammars'
import { ask, errorOf } from './model-test-helpers'

// A 260K-parameter TinyStories model: it writes children's stories, has no chat template and
// follows no instructions, which is what the grammar is for. It is never copied into the repo.
const modelPath = process.env.TESSERA_TEST_GGUF ?? '/work/shared/models/stories260K.gguf'
const modelAvailable = existsSync(modelPath)
const missingReason = `the test model ${modelPath} is missing (set TESSERA_TEST_GGUF to a GGUF file)`
// Room for long generations: the abort tests must still be generating when they abort.
const contextSize = 2048
const timeout = 120_000

const weatherInput = z.object({ city: z.string(), days: z.number().int().optional() })
const weatherTool: ModelTool = {
  name: 'get_weather',
  description: 'The weather forecast for a city.',
  inputSchema: toJsonSchema(weatherInput),
}
const timeInput = z.object({ zone: z.enum(['UTC', 'CET', 'PST']) })
const timeTool: ModelTool = {
  name: 'get_time',
  description: 'The time in a time zone.',
  inputSchema: toJsonSchema(timeInput),
}

/** A chat template (node-llama-cpp's general one) that records the histories it renders. */
class RecordingWrapper extends GeneralChatWrapper {
  readonly seen: ChatHistoryItem[][]
  constructor(seen: ChatHistoryItem[][]) {
    super()
    this.seen = seen
  }
  override generateContextState(options: ChatWrapperGenerateContextStateOptions) {
    this.seen.push([...options.chatHistory])
    return super.generateContextState(options)
  }
}

describe('llama-cpp: settings', () => {
  it('rejects settings it cannot use with an InvalidArgumentError naming them', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'modelPath'],
      [{ modelPath: '' }, 'modelPath'],
      [{ modelPath: 'm.gguf', threads: -1 }, 'threads'],
      [{ modelPath: 'm.gguf', threads: 1.5 }, 'threads'],
      [{ modelPath: 'm.gguf', contextSize: 0 }, 'contextSize'],
      [{ modelPath: 'm.gguf', sequences: 0 }, 'sequences'],
      [{ modelPath: 'm.gguf', maxOutputTokens: 0 }, 'maxOutputTokens'],
      [{ modelPath: 'm.gguf', gpu: 'tpu' }, 'gpu'],
      [{ modelPath: 'm.gguf', promptTemplate: 'chatml' }, 'promptTemplate'],
    ]
    for (const [settings, argument] of cases) {
      let error: unknown
      try {
        createLlamaCpp(settings as never)
      } catch (caught) {
        error = caught
      }
      expect(InvalidArgumentError.isInstance(error), JSON.stringify(settings)).toBe(true)
      expect((error as InvalidArgumentError).argument).toBe(argument)
    }
  })

  it('names its models after the file unless given an id, and loads nothing when created', () => {
    const provider = createLlamaCpp({ modelPath: '/nowhere/tiny-model.Q4_K_M.gguf' })
    expect(provider().modelId).toBe('tiny-model.Q4_K_M')
    expect(provider('tiny').modelId).toBe('tiny')
    expect(provider().provider).toBe('llama-cpp')
    expect(provider().capabilities).toEqual({
      tools: true,
      structuredOutput: true,
      streaming: true,
    })
  })
})

describe('llama-cpp: a missing model file', () => {
  const missing = '/nowhere/missing-model.gguf'
  const provider = createLlamaCpp({ modelPath: missing })

  it('fails generate(), stream() and load() with a ModelCallError naming the path', async () => {
    const model = provider('missing')
    const generateError = await errorOf(() => model.generate(ask('Hello')))
    const { error: streamError } = await readModelStream(model.stream(ask('Hello')))
    const loadError = await errorOf(() => provider.load())
    for (const error of [generateError, streamError, loadError]) {
      expect(ModelCallError.isInstance(error), String(error)).toBe(true)
      expect(error).toMatchObject({ failure: 'other', retryable: false, provider: 'llama-cpp' })
      expect((error as Error).message).toContain(missing)
      expect((error as Error).message).toContain('ENOENT')
    }
    expect(generateError).toMatchObject({ modelId: 'missing' })
  })

  it('checks schemas before it loads: UnsupportedSchemaError with the path', async () => {
    const model = provider()
    const formatError = await errorOf(() =>
      model.generate(
        ask('A code', {
          responseFormat: {
            type: 'json',
            schema: toJsonSchema(z.object({ code: z.string().regex(/^[A-Z]{3}$/) })),
          },
        }),
      ),
    )
    expect(UnsupportedSchemaError.isInstance(formatError), String(formatError)).toBe(true)
    expect(formatError).toMatchObject({ path: '/properties/code' })
    expect((formatError as Error).message).toContain('pattern')

    const toolError = await errorOf(() =>
      model.generate(
        ask('Book', {
          tools: [
            {
              name: 'book',
              inputSchema: toJsonSchema(z.object({ seats: z.number().int().min(1).max(9) })),
            },
          ],
        }),
      ),
    )
    expect(UnsupportedSchemaError.isInstance(toolError), String(toolError)).toBe(true)
    expect(toolError).toMatchObject({ path: '/properties/seats' })
    expect((toolError as Error).message).toContain('tool "book"')
  })

  it('rejects a toolChoice naming no tool of the request', async () => {
    const error = await errorOf(() =>
      provider().generate(
        ask('Hi', { tools: [weatherTool], toolChoice: { type: 'tool', toolName: 'nope' } }),
      ),
    )
    expect(InvalidArgumentError.isInstance(error), String(error)).toBe(true)
    expect(error).toMatchObject({ argument: 'toolChoice.toolName' })
  })
})

if (!modelAvailable) {
  describe('llama-cpp with a real model', () => {
    if (process.env.CI === 'true') {
      it('has its test model under CI', () => {
        expect.fail(missingReason)
      })
    } else {
      it.skip(`runs against a real model (skipped: ${missingReason})`, () => {})
    }
  })
} else {
  // Configuration 1: Tessera starts llama.cpp itself from the settings.
  let fromSettings: LlamaCppProvider | undefined
  describeLanguageModelConformance({
    name: 'llama-cpp (settings)',
    createModel: () => {
      fromSettings = createLlamaCpp({ modelPath, contextSize })
      return fromSettings('stories260K')
    },
    cleanup: () => fromSettings?.dispose(),
    timeoutMs: timeout,
  })

  // Configuration 2: your own Llama, shared with the provider-specific tests below.
  let llama: Llama
  let local: LlamaCppProvider
  beforeAll(async () => {
    llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error })
    local = createLlamaCpp({ modelPath, llama, contextSize, promptTemplate: 'plain' })
    await local.load()
  }, timeout)
  afterAll(async () => {
    await local?.dispose()
    await llama?.dispose()
  })

  describeLanguageModelConformance({
    name: 'llama-cpp (own llama)',
    createModel: () => local('stories260K'),
    timeoutMs: timeout,
  })

  describe('llama-cpp: number grammars', () => {
    it("narrows node-llama-cpp's number rules: no exponent or 16th digit in integers, no overflowing exponent", async () => {
      const json = await llama.createGrammarForJsonSchema({
        type: 'object',
        properties: { days: { type: 'integer' }, temperature: { type: 'number' } },
      } as never)
      const narrowed = narrowNumbers(json.grammar)
      for (const [pattern, rule] of numberRules) {
        // node-llama-cpp still names its rules so (a rename would leave them wide).
        expect(json.grammar).toMatch(pattern)
        expect(narrowed).toContain(rule)
      }
      expect(narrowed).not.toMatch(/^integer-number-rule ::= .*[eE]/m)
      await llama.createGrammar({ grammar: narrowed })
    })

    it(
      'forced tool calls give safe integers, sample after sample at a high temperature',
      async () => {
        const model = local('stories260K')
        const values: unknown[] = []
        for (let seed = 1; seed <= 40; seed++) {
          let response
          try {
            response = await model.generate({
              ...ask('The weather', { temperature: 1.5, maxOutputTokens: 256 }),
              seed,
              tools: [weatherTool],
              toolChoice: { type: 'tool', toolName: 'get_weather' },
            })
          } catch (error) {
            // A call the token limit cut off is refused as such; it has no input to check.
            if (ModelCallError.isInstance(error) && /cut off/.test(error.message)) continue
            throw error
          }
          const call = response.content.find((part) => part.type === 'tool-call')
          expect(call, `seed ${seed}`).toBeDefined()
          const input = (call as { input: { days?: unknown } }).input
          if (input.days !== undefined) values.push(input.days)
          expect(
            weatherInput.safeParse(input).success,
            `seed ${seed}: ${JSON.stringify(input)}`,
          ).toBe(true)
        }
        // The model wrote the optional field often enough for this to test something.
        expect(values.length).toBeGreaterThan(5)
      },
      timeout,
    )
  })

  describe('llama-cpp: generation', () => {
    it(
      'greedy output is deterministic, and the second call reuses the prompt evaluation',
      async () => {
        const model = local()
        const request = ask('Once upon a time', { temperature: 0, maxOutputTokens: 48 })
        const first = await model.generate(request)
        const second = await model.generate(request)
        expect(responseText(first).length).toBeGreaterThan(0)
        expect(responseText(second)).toBe(responseText(first))
        expect(first.usage.inputTokens).toBeGreaterThan(0)
        expect(first.usage.outputTokens).toBeGreaterThan(0)
        expect(second.usage.inputTokens).toBe(first.usage.inputTokens)
        // Everything but the last prompt token (whose logits start the answer) was kept.
        expect(second.usage.cachedInputTokens).toBe(second.usage.inputTokens - 1)
        expect(first.responseId).not.toBe(second.responseId)
        // And after another prompt took over the sequence (only a shared prefix is kept).
        await model.generate(ask('Once there was a big dog', { maxOutputTokens: 16 }))
        const third = await model.generate(request)
        expect(responseText(third)).toBe(responseText(first))
        expect(third.usage.cachedInputTokens).toBeLessThan(third.usage.inputTokens - 1)
      },
      timeout,
    )

    it(
      'samples alike with the same seed',
      async () => {
        const model = local()
        const request = ask('The dog', { temperature: 1, seed: 42, maxOutputTokens: 32 })
        const first = await model.generate(request)
        const second = await model.generate(request)
        expect(responseText(second)).toBe(responseText(first))
      },
      timeout,
    )

    it(
      'stops at maxOutputTokens with finish reason length, counting real tokens',
      async () => {
        const response = await local().generate(
          ask('Once upon a time', { temperature: 0, maxOutputTokens: 5 }),
        )
        expect(response.usage.outputTokens).toBe(5)
        expect(response.finishReason).toBe('length')
      },
      timeout,
    )

    it(
      'cuts the answer before a stop sequence, with finish reason stop',
      async () => {
        const model = local()
        const request = ask('Once upon a time', { temperature: 0, maxOutputTokens: 48 })
        const full = responseText(await model.generate(request))
        const stop = full.slice(12, 16)
        const cut = await model.generate({ ...request, stopSequences: [stop] })
        expect(responseText(cut)).toBe(full.slice(0, full.indexOf(stop)).trim())
        expect(cut.finishReason).toBe('stop')
      },
      timeout,
    )

    it(
      'streams token by token: the deltas join to the same text generate() gives',
      async () => {
        const model = local()
        const request = ask('Once upon a time', { temperature: 0, maxOutputTokens: 32 })
        const expected = responseText(await model.generate(request))
        const { parts, error } = await readModelStream(model.stream(request))
        expect(error).toBeUndefined()
        const deltas = parts.filter((part) => part.type === 'text-delta')
        expect(deltas.length).toBeGreaterThan(5)
        expect(deltas.map((part) => part.delta).join('')).toBe(expected)
        expect(parts.at(-1)?.type).toBe('finish')
        const finish = parts.at(-1) as Extract<ModelStreamPart, { type: 'finish' }>
        expect(responseText(finish.response)).toBe(expected)
        expect(finish.response.usage.outputTokens).toBe(32)
      },
      timeout,
    )

    it(
      'serialises concurrent calls on its one sequence, and each gets its own answer',
      async () => {
        const model = local()
        const one = ask('Once upon a time', { temperature: 0, maxOutputTokens: 24 })
        const two = ask('The cat sat', { temperature: 0, maxOutputTokens: 24 })
        const alone = [
          responseText(await model.generate(one)),
          responseText(await model.generate(two)),
        ]
        const together = await Promise.all([model.generate(one), model.generate(two)])
        expect(together.map(responseText)).toEqual(alone)
      },
      timeout,
    )
  })

  describe('llama-cpp: abort', () => {
    it(
      'a stream aborted mid-generation rejects with the reason, and the next call works',
      async () => {
        const model = local()
        const controller = new AbortController()
        const reason = new Error('stop now')
        let deltas = 0
        const { parts, error } = await readModelStream(
          model.stream(
            ask('Once upon a time', {
              temperature: 0,
              maxOutputTokens: 1500,
              signal: controller.signal,
            }),
          ),
          (part) => {
            if (part.type === 'text-delta' && ++deltas === 10) controller.abort(reason)
          },
        )
        expect(error).toBe(reason)
        expect(parts.filter((part) => part.type === 'text-delta')).toHaveLength(10)
        expect(parts.some((part) => part.type === 'finish')).toBe(false)
        const after = await model.generate(ask('Once upon a time', { maxOutputTokens: 8 }))
        expect(after.usage.outputTokens).toBe(8)
      },
      timeout,
    )

    it(
      'generate() aborted while it generates rejects with the reason',
      async () => {
        const model = local()
        const controller = new AbortController()
        const reason = new Error('too slow')
        const call = errorOf(() =>
          model.generate(
            ask('Once upon a time', {
              temperature: 0,
              maxOutputTokens: 1500,
              stopSequences: ['<never>'],
              signal: controller.signal,
            }),
          ),
        )
        setTimeout(() => controller.abort(reason), 30)
        expect(await call).toBe(reason)
      },
      timeout,
    )

    it(
      'a call waiting for the busy sequence is aborted at once, the running one finishes',
      async () => {
        const model = local()
        const controller = new AbortController()
        const reason = new Error('gave up waiting')
        const events: string[] = []
        let deltas = 0
        // The running call holds the one sequence; the second waits for it.
        const running = readModelStream(
          model.stream(ask('Once upon a time', { temperature: 0, maxOutputTokens: 200 })),
          (part) => {
            if (part.type === 'text-delta' && ++deltas === 5) controller.abort(reason)
          },
        ).then((result) => {
          events.push('running finished')
          return result
        })
        const waiting = errorOf(() =>
          model.generate(ask('The cat', { maxOutputTokens: 8, signal: controller.signal })),
        ).then((error) => {
          events.push('waiting rejected')
          return error
        })
        expect(await waiting).toBe(reason)
        const { parts, error } = await running
        expect(error).toBeUndefined()
        expect(parts.at(-1)?.type).toBe('finish')
        // The waiting call did not wait for the running one to end.
        expect(events).toEqual(['waiting rejected', 'running finished'])
      },
      timeout,
    )

    it(
      'a reader that stops early frees the sequence for the next call',
      async () => {
        const model = local()
        const request = ask('Once upon a time', { temperature: 0, maxOutputTokens: 24 })
        const expected = responseText(await model.generate(request))
        let deltas = 0
        for await (const part of model.stream({ ...request, maxOutputTokens: 1500 })) {
          if (part.type === 'text-delta' && ++deltas === 3) break
        }
        const after = await model.generate(request)
        expect(responseText(after)).toBe(expected)
      },
      timeout,
    )

    it('an already aborted signal rejects before anything runs', async () => {
      const reason = new Error('never started')
      const error = await errorOf(() =>
        local().generate(ask('Hi', { signal: AbortSignal.abort(reason) })),
      )
      expect(error).toBe(reason)
    })
  })

  describe('llama-cpp: structured output', () => {
    const profile = z.object({
      name: z.string().max(24),
      age: z.number().int(),
      mood: z.enum(['happy', 'sad', 'sleepy']),
      friends: z.array(z.string().max(12)).max(3),
      pet: z.object({ kind: z.string().max(12), legs: z.number().int() }).nullable(),
    })

    it(
      'answers JSON valid for the schema, even from a tiny model',
      async () => {
        const model = local()
        for (const seed of [1, 2, 3]) {
          const response = await model.generate(
            ask('Tell me about Lily.', {
              responseFormat: { type: 'json', schema: toJsonSchema(profile), name: 'profile' },
              temperature: 0.8,
              seed,
              maxOutputTokens: 400,
            }),
          )
          expect(response.finishReason).toBe('stop')
          const parsed = profile.safeParse(JSON.parse(responseText(response)))
          expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true)
        }
      },
      timeout,
    )

    it(
      'handles recursive schemas (zod writes them with $ref "#")',
      async () => {
        const node: z.ZodType = z.object({
          name: z.string().max(8),
          get children() {
            return z.array(node).max(2)
          },
        })
        const response = await local().generate(
          ask('A family tree', {
            responseFormat: { type: 'json', schema: toJsonSchema(node) },
            temperature: 0,
            maxOutputTokens: 600,
          }),
        )
        expect(response.finishReason).toBe('stop')
        expect(node.safeParse(JSON.parse(responseText(response))).success).toBe(true)
      },
      timeout,
    )

    it(
      'streams the JSON as text deltas',
      async () => {
        const { parts } = await readModelStream(
          local().stream(
            ask('Tell me about Lily.', {
              responseFormat: { type: 'json', schema: toJsonSchema(profile) },
              temperature: 0,
              maxOutputTokens: 400,
            }),
          ),
        )
        const finish = parts.at(-1) as Extract<ModelStreamPart, { type: 'finish' }>
        const text = parts
          .filter((part) => part.type === 'text-delta')
          .map((part) => part.delta)
          .join('')
        expect(text).toBe(responseText(finish.response))
        expect(profile.safeParse(JSON.parse(text)).success).toBe(true)
      },
      timeout,
    )
  })

  describe('llama-cpp: tools', () => {
    it(
      'a forced tool call has an input valid for the tool, and finish reason tool-calls',
      async () => {
        const response = await local().generate(
          ask('What is the weather in Paris?', {
            tools: [weatherTool, timeTool],
            toolChoice: { type: 'tool', toolName: 'get_weather' },
            temperature: 0,
          }),
        )
        expect(response.finishReason).toBe('tool-calls')
        expect(response.content).toHaveLength(1)
        const call = response.content[0]
        expect(call).toMatchObject({ type: 'tool-call', toolName: 'get_weather' })
        if (call?.type !== 'tool-call') throw new Error('expected a tool call')
        expect(call.toolCallId.length).toBeGreaterThan(0)
        const parsed = weatherInput.safeParse(call.input)
        expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true)
      },
      timeout,
    )

    it(
      'toolChoice required calls one of the tools with a valid input',
      async () => {
        for (const seed of [1, 2, 3]) {
          const response = await local().generate(
            ask('What time is it?', {
              tools: [weatherTool, timeTool],
              toolChoice: 'required',
              seed,
            }),
          )
          const call = response.content[0]
          if (call?.type !== 'tool-call') throw new Error('expected a tool call')
          const schema = call.toolName === 'get_time' ? timeInput : weatherInput
          expect(['get_time', 'get_weather']).toContain(call.toolName)
          expect(schema.safeParse(call.input).success, JSON.stringify(call.input)).toBe(true)
        }
      },
      timeout,
    )

    it(
      'streams a tool call as input deltas that join to its JSON',
      async () => {
        const { parts, error } = await readModelStream(
          local().stream(
            ask('Weather in Oslo?', {
              tools: [weatherTool],
              toolChoice: 'required',
              temperature: 0,
            }),
          ),
        )
        expect(error).toBeUndefined()
        const finish = parts.at(-1) as Extract<ModelStreamPart, { type: 'finish' }>
        const call = finish.response.content[0]
        if (call?.type !== 'tool-call') throw new Error('expected a tool call')
        const deltas = parts.filter((part) => part.type === 'tool-call-delta')
        expect(deltas.length).toBeGreaterThan(1)
        for (const delta of deltas) {
          expect(delta).toMatchObject({ toolCallId: call.toolCallId, toolName: 'get_weather' })
        }
        expect(JSON.parse(deltas.map((delta) => delta.inputDelta).join(''))).toEqual(call.input)
        expect(parts.some((part) => part.type === 'text-delta')).toBe(false)
      },
      timeout,
    )

    it(
      'toolChoice none answers text, and auto lets the model answer text or a call',
      async () => {
        const none = await local().generate(
          ask('Once upon a time', {
            tools: [weatherTool],
            toolChoice: 'none',
            maxOutputTokens: 24,
          }),
        )
        expect(none.content.every((part) => part.type === 'text')).toBe(true)
        expect(none.finishReason).not.toBe('tool-calls')

        const auto = await local().generate(
          ask('Once upon a time', { tools: [weatherTool], temperature: 0, maxOutputTokens: 64 }),
        )
        const call = auto.content.find((part) => part.type === 'tool-call')
        if (call) expect(weatherInput.safeParse(call.input).success).toBe(true)
        else expect(responseText(auto).startsWith('{')).toBe(false)
      },
      timeout,
    )

    it(
      'renders tool calls and results back into the prompt',
      async () => {
        const seen: ChatHistoryItem[][] = []
        const provider = createLlamaCpp({
          modelPath,
          llama,
          contextSize: 512,
          promptTemplate: new RecordingWrapper(seen),
        })
        try {
          const response = await provider('recorded').generate({
            messages: [
              { role: 'system', content: 'You are a weather assistant.' },
              { role: 'user', content: 'Weather in Paris?' },
              {
                role: 'assistant',
                content: [
                  { type: 'text', text: 'Let me look.' },
                  {
                    type: 'tool-call',
                    toolCallId: 'c1',
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
                    toolCallId: 'c1',
                    toolName: 'get_weather',
                    output: { sky: 'sunny' },
                  },
                ],
              },
            ],
            tools: [weatherTool],
            maxOutputTokens: 8,
          })
          expect(response.usage.outputTokens).toBeGreaterThan(0)
        } finally {
          await provider.dispose()
        }
        expect(seen).toHaveLength(1)
        const history = seen[0] as ChatHistoryItem[]
        expect(history[0]).toMatchObject({ type: 'system' })
        expect((history[0] as { text: string }).text).toContain('You are a weather assistant.')
        expect((history[0] as { text: string }).text).toContain('get_weather')
        expect(history.slice(1)).toEqual([
          { type: 'user', text: 'Weather in Paris?' },
          {
            type: 'model',
            response: ['Let me look.\n{"name": "get_weather", "input": {"city":"Paris"}}'],
          },
          {
            type: 'user',
            text: 'Tool result for get_weather (call c1): {"sky":"sunny"}',
          },
          { type: 'model', response: [] },
        ])
      },
      timeout,
    )
  })

  describe('llama-cpp: limits and lifetime', () => {
    it(
      'a prompt longer than the context fails with PromptTooLongError and the token counts',
      async () => {
        const long = 'The little dog ran to the park and played with a red ball. '.repeat(200)
        const error = await errorOf(() => local('stories').generate(ask(long)))
        expect(PromptTooLongError.isInstance(error), String(error)).toBe(true)
        const tooLong = error as PromptTooLongError
        expect(tooLong).toMatchObject({
          provider: 'llama-cpp',
          modelId: 'stories',
          limit: contextSize,
          estimated: false,
          retryable: false,
        })
        expect(tooLong.tokens).toBeGreaterThan(contextSize)
        expect(tooLong.message).toContain(`the limit is ${contextSize}`)
      },
      timeout,
    )

    it(
      'dispose() stops a running call with a ModelCallError; the next call loads again',
      async () => {
        const provider = createLlamaCpp({ modelPath, llama, contextSize: 512 })
        try {
          const model = provider('disposable')
          let disposing: Promise<void> | undefined
          const { parts, error } = await readModelStream(
            model.stream(ask('Once upon a time', { temperature: 0, maxOutputTokens: 400 })),
            (part) => {
              if (part.type === 'text-delta') disposing ??= provider.dispose()
            },
          )
          await disposing
          expect(ModelCallError.isInstance(error), String(error)).toBe(true)
          expect(error).toMatchObject({ failure: 'other', modelId: 'disposable' })
          expect(parts.some((part) => part.type === 'finish')).toBe(false)
          const again = await model.generate(ask('Once upon a time', { maxOutputTokens: 4 }))
          expect(again.usage.outputTokens).toBe(4)
        } finally {
          await provider.dispose()
        }
      },
      timeout,
    )
  })
}
