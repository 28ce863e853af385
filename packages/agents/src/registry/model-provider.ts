import type { LanguageModelV1 } from '@tessera/core'

/**
 * What a model registry takes for each provider: a function from a model id to a
 * {@link LanguageModelV1}. Every provider factory of `@tessera/agents` returns one
 * (`createOpenAI()`, `createAnthropic()`, `createGoogle()`, `createOpenAICompatible()`,
 * `createLlamaCpp()`, and the default `openai`, `anthropic`, `google`), and so does any function of
 * your own, for models made some other way.
 *
 * @example
 * ```ts
 * const scripted: ModelProvider = (modelId) => createScriptedModel(['Hello'], { modelId })
 * ```
 */
export type ModelProvider = (modelId: string) => LanguageModelV1
