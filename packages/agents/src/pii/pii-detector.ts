import type { PiiType } from './detect-pii'

/**
 * One pattern of {@link detectPii}: a global regular expression and, optionally, a check of each
 * match (a checksum, a shape the pattern cannot express).
 *
 * @example
 * ```ts
 * const detector: PiiDetector = { type: 'email', pattern: /\S+@\S+\.\w+/g }
 * ```
 */
export interface PiiDetector {
  type: PiiType
  /** A global (`g`) pattern. Bounded quantifiers only, so a scan stays linear. */
  pattern: RegExp
  /** The length of the match to keep (it may trim trailing groups), or 0 to reject it. */
  accept?: (match: string) => number
}

/**
 * A greedy match may run into a following group ("DE89 3704 … 00 ABCD"): try the whole match,
 * then without its last space- or dash-separated group, and so on. Returns the length of the
 * longest prefix whose compact form (separators removed) is valid, or 0.
 *
 * @example
 * ```ts
 * longestValidPrefix('4111 1111 1111 1111 22', (digits) => passesLuhnCheck(digits)) // 19
 * ```
 */
export function longestValidPrefix(match: string, valid: (compact: string) => boolean): number {
  let candidate = match
  for (;;) {
    if (valid(candidate.replace(/[ -]/g, ''))) return candidate.length
    const cut = Math.max(candidate.lastIndexOf(' '), candidate.lastIndexOf('-'))
    if (cut <= 0) return 0
    candidate = candidate.slice(0, cut)
  }
}
