/**
 * The value Gemini documents for function calls it did not sign itself (a history from another
 * model, or one whose signatures were lost): it skips the signature check.
 */
export const unsignedThoughtSignature = 'skip_thought_signature_validator'

/**
 * The thought signatures Gemini attached to its function calls, by tool-call id, so that the
 * next request of the same conversation sends them back (Gemini 3 models reject a function call
 * of the current turn without its signature). The port's messages have no field for them, so
 * each provider instance remembers the most recent `limit` of them.
 *
 * @example
 * ```ts
 * const signatures = createThoughtSignatures()
 * signatures.remember('call-1', 'CiIBVKhc…')
 * signatures.get('call-1') // 'CiIBVKhc…'
 * ```
 */
export interface ThoughtSignatures {
  remember(toolCallId: string, signature: string): void
  get(toolCallId: string): string | undefined
}

/** A bounded {@link ThoughtSignatures}: the oldest are forgotten first. */
export function createThoughtSignatures(limit = 4096): ThoughtSignatures {
  const signatures = new Map<string, string>()
  return {
    remember(toolCallId, signature) {
      signatures.delete(toolCallId)
      signatures.set(toolCallId, signature)
      if (signatures.size > limit) {
        const oldest = signatures.keys().next().value
        if (oldest !== undefined) signatures.delete(oldest)
      }
    },
    get(toolCallId) {
      return signatures.get(toolCallId)
    },
  }
}

/**
 * Whether a model validates thought signatures: Gemini 3 and later, and aliases such as
 * `gemini-flash-latest` whose version the id does not say. Gemini 1 and 2, and other families
 * served by the API (Gemma), do not.
 */
export function validatesThoughtSignatures(modelId: string): boolean {
  const version = /gemini-(\d+)/.exec(modelId)
  if (version) return Number(version[1]) >= 3
  return modelId.includes('gemini')
}
