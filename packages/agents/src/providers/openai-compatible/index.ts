// @tessera/agents/openai-compatible: the curated public API of this subpath. No logic here.
export {}
