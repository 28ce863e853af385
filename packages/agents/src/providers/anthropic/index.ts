// @tessera/agents/anthropic: the curated public API of this subpath. No logic here.
export {
  createAnthropic,
  type AnthropicProvider,
  type AnthropicProviderSettings,
  type AnthropicModelSettings,
} from './create-anthropic'
export { anthropic } from './anthropic'
export { anthropicDefaultMaxTokens } from './anthropic-default-max-tokens'
