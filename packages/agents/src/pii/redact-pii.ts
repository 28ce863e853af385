import { detectPii, type DetectPiiOptions, type PiiFinding, type PiiType } from './detect-pii'
import { maskFindings } from './mask-findings'

/** Options of {@link redactPii}. */
export interface RedactPiiOptions extends DetectPiiOptions {
  /**
   * The text that replaces a finding. Default: the type in capitals and brackets, such as
   * `[EMAIL]`, `[CREDIT_CARD]` or `[SECRET]`.
   */
  replacement?: (finding: PiiFinding) => string
}

/** The result of {@link redactPii}. */
export interface RedactPiiResult {
  /** The text with every finding replaced. */
  text: string
  /** What was replaced, with positions in the original text, sorted by position. */
  findings: PiiFinding[]
}

/**
 * Masks personal data and secrets in a text before it reaches a model, a log or a store. See
 * {@link detectPii} for what it finds; positions in `findings` refer to the original text.
 *
 * @example
 * ```ts
 * const { text, findings } = redactPii('Card 4111 1111 1111 1111, key sk-proj-4f9aQ2x7LmN3pR8sT1uV')
 * text // 'Card [CREDIT_CARD], key [SECRET]'
 * findings.map((finding) => finding.type) // ['credit-card', 'secret']
 * ```
 */
export function redactPii(text: string, options: RedactPiiOptions = {}): RedactPiiResult {
  const findings = detectPii(text, options)
  const replacement = options.replacement ?? defaultReplacement
  return { text: maskFindings(text, findings, replacement), findings }
}

function defaultReplacement(finding: { type: PiiType }): string {
  return `[${finding.type.toUpperCase().replace('-', '_')}]`
}
