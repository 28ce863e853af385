import { passesLuhnCheck } from './luhn-check'
import type { PiiDetector } from './pii-detector'

/**
 * The `national-id` detectors of {@link detectPii}: national identity and social insurance
 * numbers whose shape (and, where they have one, check digit) sets them apart from other numbers.
 * US social security numbers have their own type, `ssn`.
 *
 * - United Kingdom: National Insurance numbers (`AB 12 34 56 C`; no check digit, so the letter
 *   rules of HMRC are kept: no D, F, I, Q, U, V, no O second, no BG, GB, KN, NK, NT, TN, ZZ).
 * - Spain: DNI (`12345678Z`) and NIE (`X1234567L`), with the mod-23 check letter.
 * - Italy: codice fiscale (`RSSMRA85T10A562S`), with its check character.
 * - France: NIR / numéro de sécurité sociale (`1 85 05 78 006 084 91`), with its mod-97 key.
 * - Canada: social insurance numbers written in three groups (`130 692 544`), Luhn-checked.
 * - India: Aadhaar numbers written in three groups (`2345 6789 0124`), Verhoeff-checked.
 *
 * @example
 * ```ts
 * detectPii('DNI 12345678Z', { types: ['national-id'] }) // [{ type: 'national-id', start: 4, end: 13 }]
 * ```
 */
export const nationalIdDetectors: readonly PiiDetector[] = [
  {
    type: 'national-id',
    pattern:
      /(?<![A-Za-z0-9])(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])/g,
  },
  {
    type: 'national-id',
    pattern: /(?<![A-Za-z0-9-])(?:[XYZ]-?\d{7}|\d{8})-?[A-Z](?![A-Za-z0-9-])/g,
    accept: (match) => (passesSpanishIdCheck(match.replace(/-/g, '')) ? match.length : 0),
  },
  {
    type: 'national-id',
    pattern: /(?<![A-Za-z0-9])[A-Z]{6}\d{2}[A-EHLMPRST]\d{2}[A-Z]\d{3}[A-Z](?![A-Za-z0-9])/g,
    accept: (match) => (passesItalianFiscalCodeCheck(match) ? match.length : 0),
  },
  {
    type: 'national-id',
    pattern:
      /(?<![\dA-Za-z-])[12] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}(?![\dA-Za-z-])/g,
    accept: (match) => (passesFrenchNirKey(match.replace(/ /g, '')) ? match.length : 0),
  },
  {
    type: 'national-id',
    pattern: /(?<![\d-])[1-79]\d{2}([ -])\d{3}\1\d{3}(?![\d-])/g,
    accept: (match) => (passesLuhnCheck(match.replace(/[ -]/g, '')) ? match.length : 0),
  },
  {
    type: 'national-id',
    pattern: /(?<![\d-])[2-9]\d{3}([ -])\d{4}\1\d{4}(?![\d-])/g,
    accept: (match) => (passesVerhoeffCheck(match.replace(/[ -]/g, '')) ? match.length : 0),
  },
]

const spanishLetters = 'TRWAGMYFPDXBNJZSQVHLCKE'

/** DNI/NIE: the letter is the number (X, Y, Z of a NIE read as 0, 1, 2) modulo 23. */
function passesSpanishIdCheck(compact: string): boolean {
  const digits = compact.slice(0, -1).replace(/^X/, '0').replace(/^Y/, '1').replace(/^Z/, '2')
  return spanishLetters[Number(digits) % 23] === compact.slice(-1)
}

// Values of the characters in odd positions (1st, 3rd, …) for the codice fiscale: 0-9 then A-Z.
const fiscalOddDigits = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21]
const fiscalOddLetters = [
  1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
]

/** The 16th character is a letter from the weighted sum of the first fifteen, modulo 26. */
function passesItalianFiscalCodeCheck(code: string): boolean {
  let total = 0
  for (let index = 0; index < 15; index++) {
    const character = code.charCodeAt(index)
    const isDigit = character >= 48 && character <= 57
    const ordinal = isDigit ? character - 48 : character - 65
    if (index % 2 === 0) total += isDigit ? fiscalOddDigits[ordinal]! : fiscalOddLetters[ordinal]!
    else total += ordinal
  }
  return String.fromCharCode(65 + (total % 26)) === code[15]
}

/** The last two digits are 97 minus the first thirteen modulo 97 (Corsica: 2A → 19, 2B → 18). */
function passesFrenchNirKey(compact: string): boolean {
  const body = compact.slice(0, 13).replace('2A', '19').replace('2B', '18')
  if (!/^\d{13}$/.test(body)) return false
  return 97 - (Number(body) % 97) === Number(compact.slice(13))
}

const verhoeffMultiplication = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
const verhoeffPermutation = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]

/** The Verhoeff dihedral-group checksum (Aadhaar's check digit). */
function passesVerhoeffCheck(digits: string): boolean {
  let check = 0
  for (let index = 0; index < digits.length; index++) {
    const digit = digits.charCodeAt(digits.length - 1 - index) - 48
    check = verhoeffMultiplication[check]![verhoeffPermutation[index % 8]![digit]!]!
  }
  return check === 0
}
