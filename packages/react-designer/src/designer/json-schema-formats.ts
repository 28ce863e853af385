/**
 * The string formats the designer's form validator checks, by name: the checks of
 * ajv-formats' default ("fast") mode, plus @rjsf's `color` and `data-url`. Regular
 * expressions only, nothing compiled from strings. Unknown formats pass, as with rjsf's ajv
 * (`strict: false`).
 *
 * @example
 * ```ts
 * jsonSchemaFormats.email('ada@example.com') // true
 * ```
 */
export const jsonSchemaFormats: Readonly<Record<string, (value: string) => boolean>> = {
  date: (value) => /^\d\d\d\d-[0-1]\d-[0-3]\d$/.test(value),
  time: (value) =>
    /^(?:[0-2]\d:[0-5]\d:[0-5]\d|23:59:60)(?:\.\d+)?(?:z|[+-]\d\d(?::?\d\d)?)$/i.test(value),
  'date-time': (value) =>
    /^\d\d\d\d-[0-1]\d-[0-3]\d[t\s](?:[0-2]\d:[0-5]\d:[0-5]\d|23:59:60)(?:\.\d+)?(?:z|[+-]\d\d(?::?\d\d)?)$/i.test(
      value,
    ),
  duration: (value) =>
    /^P(?!$)((\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?|(\d+W)?)$/.test(value),
  uri: (value) => /^(?:[a-z][a-z0-9+\-.]*:)(?:\/?\/)?[^\s]*$/i.test(value),
  'uri-reference': (value) => !/\s/.test(value),
  email: (value) =>
    /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(
      value,
    ),
  hostname: (value) =>
    /^(?=.{1,253}\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[-0-9a-z]{0,61}[0-9a-z])?)*\.?$/i.test(
      value,
    ),
  ipv4: (value) =>
    /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(value),
  ipv6: (value) => /^[0-9a-f:.]+$/i.test(value) && value.includes(':'),
  uuid: (value) => /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(value),
  'json-pointer': (value) => /^(?:\/(?:[^~/]|~0|~1)*)*$/.test(value),
  regex: (value) => {
    try {
      new RegExp(value, 'u')
      return true
    } catch {
      return false
    }
  },
  color: (value) =>
    /^(#?([0-9A-Fa-f]{3}){1,2}\b|aqua|black|blue|fuchsia|gray|green|lime|maroon|navy|olive|orange|purple|red|silver|teal|white|yellow|(rgb\(\s*\b([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])\b\s*,\s*\b([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])\b\s*,\s*\b([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])\b\s*\))|(rgb\(\s*(\d?\d%|100%)+\s*,\s*(\d?\d%|100%)+\s*,\s*(\d?\d%|100%)+\s*\)))$/.test(
      value,
    ),
  'data-url': (value) => /^data:([a-z]+\/[a-z0-9-+.]+)?;(?:name=(.*);)?base64,(.*)$/.test(value),
}
