// @tessera/agents/google: the curated public API of this subpath. No logic here.
export {
  createGoogle,
  google,
  type GoogleProvider,
  type GoogleProviderSettings,
} from './create-google'
export type { GoogleModelSettings } from './google-language-model'
export { toGeminiJsonSchema } from './to-gemini-json-schema'
