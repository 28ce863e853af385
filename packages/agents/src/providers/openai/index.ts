// @tessera/agents/openai: the curated public API of this subpath. No logic here.
export {
  createOpenAI,
  openai,
  type OpenAIProvider,
  type OpenAIProviderSettings,
  type OpenAIModelSettings,
} from './create-openai'
