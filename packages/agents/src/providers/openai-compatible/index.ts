// @tessera/agents/openai-compatible: the curated public API of this subpath. No logic here.
export {
  createOpenAICompatible,
  type OpenAICompatibleProvider,
  type OpenAICompatibleSettings,
  type OpenAICompatibleModelSettings,
} from './create-openai-compatible'
