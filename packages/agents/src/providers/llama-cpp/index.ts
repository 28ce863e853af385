// @tessera/agents/llama-cpp: the curated public API of this subpath. No logic here.
export {}
