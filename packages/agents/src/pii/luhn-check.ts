/**
 * Whether a string of digits passes the Luhn checksum that payment card numbers carry.
 *
 * @example
 * ```ts
 * passesLuhnCheck('4111111111111111') // true
 * passesLuhnCheck('4111111111111112') // false
 * ```
 */
export function passesLuhnCheck(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false
  let sum = 0
  for (let index = 0; index < digits.length; index++) {
    let digit = digits.charCodeAt(digits.length - 1 - index) - 48
    if (index % 2 === 1) {
      digit *= 2
      if (digit > 9) digit -= 9
    }
    sum += digit
  }
  return sum % 10 === 0
}
