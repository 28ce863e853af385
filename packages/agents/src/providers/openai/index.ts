// @tessera/agents/openai: the curated public API of this subpath. No logic here.
export {}
