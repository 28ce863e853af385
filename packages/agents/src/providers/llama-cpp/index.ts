// @tessera/agents/llama-cpp: the curated public API of this subpath. No logic here.
export { createLlamaCpp, type LlamaCppProvider, type LlamaCppSettings } from './create-llama-cpp'
export type { LlamaCppRequestOptions } from './create-llama-cpp-language-model'
