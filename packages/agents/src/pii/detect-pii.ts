import { InvalidArgumentError } from '@tessera/core'
import { passesIbanChecksum } from './iban-checksum'
import { passesLuhnCheck } from './luhn-check'
import { nationalIdDetectors } from './national-id-detectors'
import { longestValidPrefix, type PiiDetector } from './pii-detector'

/** The kinds of personal or secret data that {@link detectPii} finds. */
export type PiiType = 'email' | 'phone' | 'credit-card' | 'iban' | 'ssn' | 'national-id' | 'secret'

/** Every {@link PiiType}, in the order overlapping findings are preferred.
 *
 * @example
 * ```ts
 * piiTypes.includes('email') // true
 * ```
 */
export const piiTypes: readonly PiiType[] = [
  'secret',
  'email',
  'iban',
  'national-id',
  'credit-card',
  'ssn',
  'phone',
]

/** Where one piece of personal data is: `text.slice(start, end)`. The value itself is not kept. */
export interface PiiFinding {
  type: PiiType
  start: number
  end: number
}

/** Options of {@link detectPii}. */
export interface DetectPiiOptions {
  /** Which kinds to look for. Default: all of {@link piiTypes}. */
  types?: readonly PiiType[]
}

// Every quantifier is bounded and every pattern is anchored by a look-behind, so a scan stays
// linear in the length of the text (no catastrophic backtracking on hostile input).
const detectors: PiiDetector[] = [
  // PEM private keys.
  {
    type: 'secret',
    pattern:
      /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----[\s\S]{0,20000}?-----END [A-Z0-9 ]{0,40}PRIVATE KEY-----/g,
  },
  // OpenAI, Anthropic (sk-ant-…) and Stripe (sk_live_…, rk_test_…) secret keys.
  {
    type: 'secret',
    pattern: /(?<![A-Za-z0-9_-])[sr]k[-_][A-Za-z0-9_-]{16,512}/g,
    accept: (match) =>
      /\d/.test(match.slice(3)) && /[A-Za-z]/.test(match.slice(3)) ? match.length : 0,
  },
  // AWS access key ids.
  {
    type: 'secret',
    pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g,
  },
  // GitHub tokens.
  {
    type: 'secret',
    pattern: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})/g,
  },
  // Slack tokens (bot, user, app-level).
  { type: 'secret', pattern: /(?<![A-Za-z0-9-])(?:xox[abposr]|xapp)-[A-Za-z0-9-]{10,255}/g },
  // GitLab personal access tokens, npm tokens, Hugging Face tokens.
  {
    type: 'secret',
    pattern:
      /(?<![A-Za-z0-9_-])(?:glpat-[A-Za-z0-9_-]{20,255}|npm_[A-Za-z0-9]{36,255}|hf_[A-Za-z0-9]{30,255})/g,
  },
  // Google API keys.
  { type: 'secret', pattern: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g },
  // JSON Web Tokens.
  {
    type: 'secret',
    pattern:
      /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,4096}\.eyJ[A-Za-z0-9_-]{5,8192}\.[A-Za-z0-9_-]{10,4096}/g,
  },
  // The token of an `Authorization: Bearer …` value.
  { type: 'secret', pattern: /(?<=\bBearer {1,10})[A-Za-z0-9._~+/-]{20,4096}={0,2}/g },
  // The value of a credential assignment: `api_key=…`, `"password": "…"`, `AWS_SECRET_ACCESS_KEY: …`.
  // References to where a secret lives (`process.env.X`, `${X}`, `{{x}}`, `<x>`) are not secrets.
  {
    type: 'secret',
    pattern:
      /(?<=(?<![A-Za-z0-9])(?:[A-Za-z0-9]{1,30}[_-]){0,3}(?:api[_-]?key|apikey|secret|secret[_-]?key|access[_-]?key|access[_-]?token|auth[_-]?token|token|password|passwd|pwd|client[_-]?secret|private[_-]?key|credentials?)["']?\s{0,5}[:=]\s{0,5}["']?)[^\s"'`,;]{8,512}/gi,
    accept: (match) =>
      /^(?:process\.env\.|os\.environ|env\.|\$\{|\$[A-Z_]+$|\{\{|<|\[[A-Z_]+\]$)/i.test(match)
        ? 0
        : match.length,
  },
  {
    type: 'email',
    pattern:
      /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,10}[A-Za-z]{2,24}(?![A-Za-z0-9-])/g,
  },
  // Compact (DE89370400440532013000) or in groups of four (DE89 3704 0044 0532 0130 00).
  {
    type: 'iban',
    pattern:
      /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)(?![A-Za-z0-9])/g,
    accept: (match) =>
      longestValidPrefix(match, (compact) => compact.length >= 15 && passesIbanChecksum(compact)),
  },
  ...nationalIdDetectors,
  {
    type: 'credit-card',
    pattern: /(?<![\d+-])\d(?:[ -]?\d){12,18}(?!\d)/g,
    accept: (match) =>
      longestValidPrefix(match, (digits) => digits.length >= 13 && passesLuhnCheck(digits)),
  },
  // US social security numbers, without the never-issued 000, 666 and 9xx areas.
  {
    type: 'ssn',
    pattern: /(?<![\d-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\d-])/g,
  },
  // +41 44 668 18 00, (555) 123-4567, 555-123-4567, +4915123456789. Bare digit runs are not phones.
  {
    type: 'phone',
    pattern:
      /(?<![\w+])(?<!\d[.-])(?:\+\d{7,15}|(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,10}(?:[ .-]\d{2,10}){0,5})(?!\w|[.-]\d)/g,
    accept: (match) => {
      const digits = match.replace(/\D/g, '').length
      if (digits < 7 || digits > 15) return 0
      if (!/^[+(]/.test(match) && !/[ .-]/.test(match)) return 0
      // Dates and IPv4 addresses share the shape.
      if (
        /^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{4}|\d{1,3}(?:\.\d{1,3}){3})$/.test(
          match,
        )
      )
        return 0
      return match.length
    },
  },
]

/**
 * Finds emails, phone numbers, payment card numbers (Luhn-checked), IBANs (mod-97-checked), US
 * social security numbers, other national ids (UK National Insurance, Spanish DNI/NIE, Italian
 * codice fiscale, French NIR, Canadian SIN, Aadhaar: each checked by its check digit) and
 * API-key-like secrets (OpenAI/Anthropic/Stripe `sk-…`, AWS `AKIA…`, GitHub, GitLab, Slack,
 * npm, Hugging Face, Google keys, JWTs, bearer tokens, PEM private keys, and the value of any
 * `api_key=…`, `password: …`, `client_secret` … assignment) in a text.
 * Findings do not overlap (a secret beats an email beats an IBAN beats a national id beats a
 * card beats an SSN beats a phone) and are sorted by position. Pattern-based: it finds well-formed data, not
 * every way a person may write it.
 *
 * @example
 * ```ts
 * detectPii('Mail ada@example.com or call +44 20 7946 0958')
 * // [{ type: 'email', start: 5, end: 20 }, { type: 'phone', start: 29, end: 45 }]
 * ```
 */
export function detectPii(text: string, options: DetectPiiOptions = {}): PiiFinding[] {
  if (typeof text !== 'string') {
    throw new InvalidArgumentError({
      fn: 'detectPii',
      argument: 'text',
      expected: 'a string',
      received: text,
    })
  }
  const wanted = new Set(options.types ?? piiTypes)
  for (const type of wanted) {
    if (!piiTypes.includes(type)) {
      throw new InvalidArgumentError({
        fn: 'detectPii',
        argument: 'options.types',
        expected: `a list of ${piiTypes.join(', ')}`,
        received: type,
      })
    }
  }
  // Sorted by position and never overlapping, so a new finding need only be checked against its
  // two neighbours (a binary search), not every finding so far.
  const accepted: PiiFinding[] = []
  // Detectors run in order of preference; a later one never takes text an earlier one found.
  for (const detector of detectors) {
    if (!wanted.has(detector.type)) continue
    for (const match of text.matchAll(detector.pattern)) {
      const length = detector.accept ? detector.accept(match[0]) : match[0].length
      if (length === 0) continue
      const finding = { type: detector.type, start: match.index, end: match.index + length }
      let low = 0
      let high = accepted.length
      while (low < high) {
        const middle = (low + high) >>> 1
        if (accepted[middle]!.start < finding.start) low = middle + 1
        else high = middle
      }
      const before = accepted[low - 1]
      const after = accepted[low]
      if (
        (before === undefined || before.end <= finding.start) &&
        (after === undefined || finding.end <= after.start)
      ) {
        accepted.splice(low, 0, finding)
      }
    }
  }
  return accepted
}
