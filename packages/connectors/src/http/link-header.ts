/**
 * The links of an HTTP `Link` header (RFC 8288) by relation type: `{ next: '…', last: '…' }`.
 * A link with several relation types (`rel="next last"`) appears under each; the first link
 * of a relation wins. URLs are returned as written (resolve them against the request URL).
 *
 * @example
 * ```ts
 * parseLinkHeader('<https://api.example.com/items?page=2>; rel="next", <https://api.example.com/items?page=9>; rel="last"')
 * // { next: 'https://api.example.com/items?page=2', last: 'https://api.example.com/items?page=9' }
 * ```
 */
export function parseLinkHeader(value: string | null | undefined): Record<string, string> {
  const links: Record<string, string> = {}
  if (!value) return links
  // Each link is "<target>" and its parameters up to the next "<".
  const pattern = /<([^>]*)>([^<]*)/g
  for (const match of value.matchAll(pattern)) {
    const target = match[1]!
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))/i.exec(match[2] ?? '')
    for (const type of (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/)) {
      if (type !== '' && !Object.hasOwn(links, type)) links[type] = target
    }
  }
  return links
}
