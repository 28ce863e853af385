/**
 * Whether a compact IBAN (no spaces) is well formed and passes its ISO 13616 mod-97 checksum.
 *
 * @example
 * ```ts
 * passesIbanChecksum('DE89370400440532013000') // true
 * passesIbanChecksum('DE89370400440532013001') // false
 * ```
 */
export function passesIbanChecksum(iban: string): boolean {
  const compact = iban.toUpperCase()
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact)) return false
  const rearranged = compact.slice(4) + compact.slice(0, 4)
  let remainder = 0
  for (const character of rearranged) {
    const code = character.charCodeAt(0)
    // Letters count as two digits: A = 10 … Z = 35.
    const value = code >= 65 ? String(code - 55) : character
    for (const digit of value) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97
  }
  return remainder === 1
}
