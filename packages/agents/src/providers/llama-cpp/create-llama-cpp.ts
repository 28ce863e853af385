import { InvalidArgumentError, ModelCallError, type LanguageModelV1 } from '@tessera/core'
import type { ChatWrapper, Llama } from 'node-llama-cpp'
import { createLlamaCppLanguageModel } from './create-llama-cpp-language-model'
import { createLlamaCppRuntime } from './create-llama-cpp-runtime'
import { LlamaCppFailure } from './llama-cpp-failure'

/**
 * Settings of {@link createLlamaCpp}.
 *
 * @example
 * ```ts
 * const settings: LlamaCppSettings = { modelPath: './models/qwen.gguf', threads: 4, contextSize: 8192 }
 * ```
 */
export interface LlamaCppSettings {
  /** Path of the GGUF model file. Read at the first call, not before. */
  modelPath: string
  /** CPU threads for evaluation; 0 uses every core. Default 1. */
  threads?: number
  /**
   * The context window in tokens, for the prompt and the answer together (llama.cpp may round
   * it up). Default: the size the model was trained with, at most 4096.
   */
  contextSize?: number
  /**
   * How many calls generate at once, each on a context sequence of its own (each sequence holds
   * `contextSize` tokens, so memory grows with it); further calls wait. Default 1.
   */
  sequences?: number
  /**
   * The GPU backend llama.cpp uses (its prebuilt binaries only: Tessera never builds llama.cpp).
   * Ignored when you bring your own `llama`. Default `false`: CPU only.
   */
  gpu?: false | 'auto' | 'cuda' | 'vulkan' | 'metal'
  /**
   * Your own `Llama` from node-llama-cpp's `getLlama()`, to share it between providers or choose
   * its options; `dispose()` leaves it running.
   */
  llama?: Llama
  /**
   * How messages become a prompt: `auto` (default) uses the model's chat template when its file
   * has one (node-llama-cpp's `resolveChatWrapper`) and the plain template otherwise; `plain`
   * always uses the plain template; or pass a node-llama-cpp `ChatWrapper` instance.
   */
  promptTemplate?: 'auto' | 'plain' | ChatWrapper
  /** The output token limit of a request that sets none. Default 256. */
  maxOutputTokens?: number
  /** llama.cpp's log level when Tessera starts it (not for your own `llama`). Default `error`. */
  logLevel?: 'disabled' | 'fatal' | 'error' | 'warn' | 'info' | 'log' | 'debug'
  /** Makes the ids of tool calls and responses. Default: random UUIDs. */
  generateId?: () => string
}

/**
 * A local model file served in-process: call it for a `LanguageModelV1` (every model it returns
 * shares the one loaded model), and `dispose()` it to free the native memory.
 *
 * @example
 * ```ts
 * const local: LlamaCppProvider = createLlamaCpp({ modelPath: './models/qwen.gguf' })
 * await local.load() // optional: load now rather than at the first call
 * const model = local('qwen')
 * await local.dispose()
 * ```
 */
export interface LlamaCppProvider {
  /**
   * A `LanguageModelV1` on the provider's model file. `modelId` only names it (in responses,
   * errors, traces and price tables); default: the file's name without `.gguf`.
   */
  (modelId?: string): LanguageModelV1
  /** The model file. */
  readonly modelPath: string
  /** Loads the model now rather than at the first call. */
  load(): Promise<void>
  /**
   * Stops the calls in flight (they reject with a `ModelCallError`), then frees the context, the
   * model and the `Llama` (unless it is your own). A later call loads the model again.
   */
  dispose(): Promise<void>
}

/**
 * The `llama-cpp` provider: runs a GGUF model in this process with node-llama-cpp (an optional
 * peer dependency), on the CPU with one thread unless told otherwise. Nothing loads before the
 * first call; the model and its context are then shared by every call, each call generating on a
 * context sequence of its own (`sequences`, default 1: calls take turns).
 *
 * Like the vendor providers, `createLlamaCpp(settings)` returns a provider function
 * (`(modelId?) => LanguageModelV1`), so registries, fallback chains and price tables treat a local
 * model like any other. The file, not the id, chooses the weights: the id is a label.
 *
 * Answers that must be JSON (`responseFormat`) or may be tool calls are constrained by a grammar
 * built from the JSON schema, so even a small model returns valid JSON and valid tool inputs.
 *
 * @example
 * ```ts
 * import { createLlamaCpp } from '@tessera/agents/llama-cpp'
 *
 * const local = createLlamaCpp({ modelPath: './models/qwen2.5-1.5b-instruct-q4_k_m.gguf', threads: 4 })
 * const model = local('qwen2.5-1.5b')
 * const answer = await model.generate({ messages: [{ role: 'user', content: 'Hello' }] })
 * await local.dispose()
 * ```
 */
export function createLlamaCpp(settings: LlamaCppSettings): LlamaCppProvider {
  const checked = checkSettings(settings)
  const provider = 'llama-cpp'
  const runtime = createLlamaCppRuntime({
    provider,
    modelPath: checked.modelPath,
    threads: checked.threads ?? 1,
    contextSize: checked.contextSize,
    sequences: checked.sequences ?? 1,
    gpu: checked.gpu ?? false,
    llama: checked.llama,
    promptTemplate: checked.promptTemplate ?? 'auto',
    logLevel: checked.logLevel ?? 'error',
  })
  const defaultModelId = fileLabel(checked.modelPath)
  const generateId = checked.generateId ?? (() => globalThis.crypto.randomUUID())
  const maxOutputTokens = checked.maxOutputTokens ?? 256

  const createModel = (modelId?: string): LanguageModelV1 => {
    if (modelId !== undefined && (typeof modelId !== 'string' || modelId === '')) {
      throw new InvalidArgumentError({
        fn: 'llamaCpp',
        argument: 'modelId',
        expected: 'a non-empty string or undefined',
        received: modelId,
      })
    }
    return createLlamaCppLanguageModel(runtime, {
      provider,
      modelId: modelId ?? defaultModelId,
      maxOutputTokens,
      generateId,
    })
  }

  return Object.assign(createModel, {
    modelPath: checked.modelPath,
    async load() {
      try {
        await runtime.load()
      } catch (error) {
        if (!(error instanceof LlamaCppFailure)) throw error
        throw new ModelCallError({
          provider,
          modelId: defaultModelId,
          failure: 'other',
          message: error.message,
          cause: error.cause,
        })
      }
    },
    dispose: () => runtime.dispose(),
  })
}

/** `./models/qwen2.5-1.5b.Q4_K_M.gguf` → `qwen2.5-1.5b.Q4_K_M`. */
function fileLabel(path: string): string {
  const name = path.split(/[\\/]/).at(-1) ?? path
  return name.replace(/\.gguf$/i, '') || name
}

function checkSettings(settings: LlamaCppSettings): LlamaCppSettings {
  const fail = (argument: string, expected: string, received: unknown): never => {
    throw new InvalidArgumentError({ fn: 'createLlamaCpp', argument, expected, received })
  }
  if (typeof settings !== 'object' || settings === null) {
    fail('settings', 'an object with a modelPath', settings)
  }
  const { modelPath, threads, contextSize, sequences, gpu, promptTemplate, maxOutputTokens } =
    settings
  if (typeof modelPath !== 'string' || modelPath === '') {
    fail('modelPath', 'the path of a GGUF model file', modelPath)
  }
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 0)) {
    fail('threads', 'a non-negative integer (0: every core)', threads)
  }
  if (contextSize !== undefined && !(Number.isInteger(contextSize) && contextSize >= 2)) {
    fail('contextSize', 'an integer ≥ 2', contextSize)
  }
  if (sequences !== undefined && !(Number.isInteger(sequences) && sequences >= 1)) {
    fail('sequences', 'a positive integer', sequences)
  }
  if (
    maxOutputTokens !== undefined &&
    !(Number.isInteger(maxOutputTokens) && maxOutputTokens >= 1)
  ) {
    fail('maxOutputTokens', 'a positive integer', maxOutputTokens)
  }
  if (gpu !== undefined && ![false, 'auto', 'cuda', 'vulkan', 'metal'].includes(gpu)) {
    fail('gpu', "false, 'auto', 'cuda', 'vulkan' or 'metal'", gpu)
  }
  const isChatWrapper =
    typeof promptTemplate === 'object' &&
    promptTemplate !== null &&
    typeof (promptTemplate as ChatWrapper).generateContextState === 'function'
  if (
    promptTemplate !== undefined &&
    promptTemplate !== 'auto' &&
    promptTemplate !== 'plain' &&
    !isChatWrapper
  ) {
    fail('promptTemplate', "'auto', 'plain' or a node-llama-cpp ChatWrapper", promptTemplate)
  }
  return settings
}
