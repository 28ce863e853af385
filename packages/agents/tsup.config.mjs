import { createTsupConfig } from '../../scripts/tsup-config.mjs'

export const entry = {
  index: 'src/index.ts',
  openai: 'src/providers/openai/index.ts',
  anthropic: 'src/providers/anthropic/index.ts',
  google: 'src/providers/google/index.ts',
  'openai-compatible': 'src/providers/openai-compatible/index.ts',
  'llama-cpp': 'src/providers/llama-cpp/index.ts',
}

export default createTsupConfig({
  entry,
  external: [
    '@tessera/core',
    'zod',
    'openai',
    '@anthropic-ai/sdk',
    '@google/genai',
    'node-llama-cpp',
    'p-queue',
  ],
})
