// @tessera/agents/google: the curated public API of this subpath. No logic here.
export {}
