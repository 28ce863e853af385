// Which vendor API a live test talks to: its key and model from the environment, and the title of
// its describe block, which says why it skips when no key is set.

/** One vendor's live-test configuration, read from the environment. */
export interface LiveTarget {
  /** The first of the key variables that is set, trimmed; undefined when none is. */
  apiKey: string | undefined
  /** The model under test: the model variable, else the default. */
  modelId: string
  /** The describe title: the vendor and model, or why the tests skip. */
  title: string
}

/**
 * Reads a vendor's live-test configuration.
 *
 * @example
 * ```ts
 * const target = liveTarget({
 *   vendor: 'openai',
 *   keyVariables: ['OPENAI_API_KEY'],
 *   modelVariable: 'TESSERA_LIVE_OPENAI_MODEL',
 *   defaultModel: 'gpt-4.1-nano',
 * })
 * describe.skipIf(!target.apiKey)(target.title, () => { … })
 * ```
 */
export function liveTarget(options: {
  vendor: string
  keyVariables: readonly string[]
  modelVariable: string
  defaultModel: string
}): LiveTarget {
  const read = (name: string): string | undefined => process.env[name]?.trim() || undefined
  const apiKey = options.keyVariables.map(read).find((value) => value !== undefined)
  const modelId = read(options.modelVariable) ?? options.defaultModel
  const keys = options.keyVariables.join(' or ')
  const title = apiKey
    ? `${options.vendor} live API (${modelId})`
    : `${options.vendor} live API (skipped: no API key, set ${keys} to run it)`
  return { apiKey, modelId, title }
}
