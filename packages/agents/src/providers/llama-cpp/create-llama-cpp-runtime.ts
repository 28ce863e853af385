import { access, constants } from 'node:fs/promises'
import type { ChatWrapper, Llama, LlamaContext, LlamaModel } from 'node-llama-cpp'
import { createAnswerGrammars, type AnswerGrammars } from './create-answer-grammars'
import { createSequencePool, type SequencePool } from './create-sequence-pool'
import { LlamaCppFailure } from './llama-cpp-failure'

type NodeLlamaCpp = typeof import('node-llama-cpp')

/** What the runtime needs from the provider's settings (validated by `createLlamaCpp`). */
export interface LlamaCppRuntimeSettings {
  provider: string
  modelPath: string
  threads: number
  contextSize: number | undefined
  sequences: number
  gpu: false | 'auto' | 'cuda' | 'vulkan' | 'metal'
  llama: Llama | undefined
  promptTemplate: 'auto' | 'plain' | ChatWrapper
  logLevel: 'disabled' | 'fatal' | 'error' | 'warn' | 'info' | 'log' | 'debug'
}

/** A loaded model, ready to answer. */
export interface LoadedLlamaCpp {
  library: NodeLlamaCpp
  model: LlamaModel
  context: LlamaContext
  /** The chat template in use; undefined for Tessera's plain template. */
  chatWrapper: ChatWrapper | undefined
  pool: SequencePool
  grammars: AnswerGrammars
}

/** One call in flight: `signal` aborts when the runtime is disposed under it. */
export interface RuntimeCall {
  signal: AbortSignal
  end(): void
}

/** The native side of a provider: loaded once, lazily, shared by its models. */
export interface LlamaCppRuntime {
  /** Loads the model (once; a failed load is tried again at the next call). */
  load(signal?: AbortSignal): Promise<LoadedLlamaCpp>
  begin(): RuntimeCall
  dispose(): Promise<void>
}

/**
 * Loads node-llama-cpp (a dynamic import: importing `@tessera/agents/llama-cpp` loads no native
 * code), the model file and one context, at the first call; later calls share them. `dispose()`
 * aborts the calls in flight, waits for them, and frees the context, the model and the `Llama`
 * (only when the runtime created it); a call after it loads everything again.
 *
 * llama.cpp is always started with `build: 'never'`: it uses the prebuilt binary that npm
 * installed and never downloads or compiles one.
 *
 * @example
 * ```ts
 * const runtime = createLlamaCppRuntime(settings)
 * const { model, context } = await runtime.load()
 * await runtime.dispose()
 * ```
 */
export function createLlamaCppRuntime(settings: LlamaCppRuntimeSettings): LlamaCppRuntime {
  let loading: Promise<LoadedLlamaCpp> | undefined
  const calls = new Map<AbortController, Promise<void>>()

  const start = (): Promise<LoadedLlamaCpp> => {
    const attempt = loadAll(settings)
    loading = attempt
    attempt.catch(() => {
      if (loading === attempt) loading = undefined
    })
    return attempt
  }

  return {
    load(signal) {
      const loaded = loading ?? start()
      if (!signal) return loaded
      signal.throwIfAborted()
      return new Promise((resolve, reject) => {
        const onAbort = () => reject(signal.reason)
        signal.addEventListener('abort', onAbort, { once: true })
        loaded.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
      })
    },
    begin() {
      const controller = new AbortController()
      let end!: () => void
      calls.set(controller, new Promise<void>((resolve) => (end = resolve)))
      return {
        signal: controller.signal,
        end() {
          calls.delete(controller)
          end()
        },
      }
    },
    async dispose() {
      const current = loading
      loading = undefined
      const running = [...calls.values()]
      for (const controller of calls.keys()) {
        controller.abort(new LlamaCppFailure('the provider was disposed during the call'))
      }
      await Promise.all(running)
      const loaded = await current?.catch(() => undefined)
      if (!loaded) return
      await loaded.context.dispose()
      await loaded.model.dispose()
      if (!settings.llama) await loaded.model.llama.dispose()
    },
  }
}

async function loadAll(settings: LlamaCppRuntimeSettings): Promise<LoadedLlamaCpp> {
  let library: NodeLlamaCpp
  try {
    library = await import('node-llama-cpp')
  } catch (error) {
    throw new LlamaCppFailure(
      'cannot load node-llama-cpp: install it next to @tessera/agents (npm install node-llama-cpp@^3.21.1)',
      { cause: error },
    )
  }
  try {
    await access(settings.modelPath, constants.R_OK)
  } catch (error) {
    throw new LlamaCppFailure(
      `cannot read the model file "${settings.modelPath}" (${describe(error)})`,
      { cause: error },
    )
  }
  let llama = settings.llama
  if (!llama) {
    try {
      llama = await library.getLlama({
        gpu: settings.gpu,
        build: 'never',
        logLevel:
          settings.logLevel as NodeLlamaCpp['LlamaLogLevel'][keyof NodeLlamaCpp['LlamaLogLevel']],
      })
    } catch (error) {
      throw new LlamaCppFailure(
        `cannot start llama.cpp with gpu ${JSON.stringify(settings.gpu)} from its prebuilt binaries (Tessera never builds it): ${describe(error)}`,
        { cause: error },
      )
    }
  }
  const created = llama
  const release = async () => {
    if (!settings.llama) await created.dispose().catch(() => undefined)
  }
  let model: LlamaModel
  try {
    model = await llama.loadModel({
      modelPath: settings.modelPath,
      // Your own Llama decides its GPU use; one Tessera starts without a GPU uses none.
      ...(settings.gpu === false && !settings.llama ? { gpuLayers: 0 } : {}),
    })
  } catch (error) {
    await release()
    throw new LlamaCppFailure(
      `cannot load the model file "${settings.modelPath}": ${describe(error)}`,
      { cause: error },
    )
  }
  let context: LlamaContext
  try {
    context = await model.createContext({
      contextSize: settings.contextSize ?? Math.min(model.trainContextSize, 4096),
      threads: settings.threads,
      sequences: settings.sequences,
    })
  } catch (error) {
    await model.dispose().catch(() => undefined)
    await release()
    throw new LlamaCppFailure(
      `cannot create a context for the model file "${settings.modelPath}": ${describe(error)}`,
      { cause: error },
    )
  }
  return {
    library,
    model,
    context,
    chatWrapper: resolveTemplate(library, model, settings.promptTemplate),
    pool: createSequencePool(context),
    grammars: createAnswerGrammars(llama, settings.provider),
  }
}

/** The model's own chat template when it has one (`auto`), or the caller's; else the plain one. */
function resolveTemplate(
  library: NodeLlamaCpp,
  model: LlamaModel,
  template: LlamaCppRuntimeSettings['promptTemplate'],
): ChatWrapper | undefined {
  if (template === 'plain') return undefined
  if (template !== 'auto') return template
  const own = model.fileInfo.metadata?.tokenizer?.chat_template
  if (typeof own !== 'string' || own.trim() === '') return undefined
  return library.resolveChatWrapper(model)
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
