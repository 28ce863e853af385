import type { RouteDefinition } from './route'

/**
 * @internal The route table compiled for matching: each route's full path (base path
 * included) as a regular expression. Matching follows the rules the handler always had: the
 * first route in table order whose method (HEAD answered by GET routes) and path match wins; a
 * path parameter is one non-empty segment, percent-decoded; trailing slashes are significant.
 */
export interface RouteTable {
  /** The route for `method` on `path` (decoded as by {@link requestPath}), with its params. */
  match(
    method: string,
    path: string,
  ): { route: RouteDefinition; params: Record<string, string> } | undefined
  /** The methods some route serves on `path` (GET implies HEAD), in table order. */
  allowed(path: string): string[]
}

interface CompiledRoute {
  route: RouteDefinition
  pattern: RegExp
  names: string[]
}

/** @internal Compiles `routes` under `basePath` (`''` or `/a/b`). */
export function compileRoutes(routes: readonly RouteDefinition[], basePath: string): RouteTable {
  const compiled: CompiledRoute[] = routes.map((route) => {
    const names: string[] = []
    const source = `${basePath}${route.path}`
      .split(/(\{[^}]+\})/)
      .map((part) => {
        const name = /^\{([^}]+)\}$/.exec(part)?.[1]
        if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        names.push(name)
        return '([^/]+)'
      })
      .join('')
    return { route, pattern: new RegExp(`^${source}$`), names }
  })
  // Distinct paths in table order, each with its methods: what a 405 lists in `Allow`.
  const byPath = new Map<string, { pattern: RegExp; methods: string[] }>()
  for (const { route, pattern } of compiled) {
    const entry = byPath.get(route.path) ?? { pattern, methods: [] }
    if (!entry.methods.includes(route.method)) entry.methods.push(route.method)
    if (route.method === 'GET' && !entry.methods.includes('HEAD')) entry.methods.push('HEAD')
    byPath.set(route.path, entry)
  }
  const paths = [...byPath.values()]
  // The routes by the first segment of their path (after the base path), in table order: a
  // request is matched only against the routes that can match it. Off when a route's path
  // starts with a parameter (then every request is matched against every route).
  const byFirstSegment = new Map<string, CompiledRoute[]>()
  const indexed = routes.every((route) => !route.path.startsWith('/{'))
  if (indexed) {
    for (const entry of compiled) {
      const segment = firstSegment(entry.route.path)
      const bucket = byFirstSegment.get(segment)
      if (bucket) bucket.push(entry)
      else byFirstSegment.set(segment, [entry])
    }
  }
  const candidates = (path: string): readonly CompiledRoute[] => {
    if (!indexed || !path.startsWith(basePath)) return compiled
    const rest = path.slice(basePath.length)
    if (!rest.startsWith('/')) return compiled
    return byFirstSegment.get(firstSegment(rest)) ?? []
  }
  return {
    match(method, path) {
      const wanted = method === 'HEAD' ? 'GET' : method
      for (const { route, pattern, names } of candidates(path)) {
        if (route.method !== wanted) continue
        const found = pattern.exec(path)
        if (found === null) continue
        const params: Record<string, string> = {}
        for (let index = 0; index < names.length; index++) {
          params[names[index]!] = decodeParam(found[index + 1]!)
        }
        return { route, params }
      }
      return undefined
    },
    allowed(path) {
      const methods = new Set<string>()
      for (const entry of paths) {
        if (entry.pattern.test(path)) for (const method of entry.methods) methods.add(method)
      }
      return [...methods]
    },
  }
}

/** `runs` of `/runs/r1`, `''` of `/`. */
function firstSegment(path: string): string {
  const end = path.indexOf('/', 1)
  return end === -1 ? path.slice(1) : path.slice(1, end)
}

/** Characters a URL path keeps as they are (no percent-encoding, no `\` rewriting). */
const plainPath = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/
/** A `.` or `..` segment (also percent-encoded) that URL parsing would resolve. */
const dotSegment = /(?:^|\/)(?:\.|%2e)/i

/**
 * @internal The path (decoded as routing sees it) and the query string of a request URL
 * (path and query, or absolute). A path with dot segments, backslashes or characters that URL
 * parsing encodes is normalised through `URL` first, as a Fetch `Request` would have been.
 */
export function requestPath(url: string): { path: string; search: string } {
  let start = 0
  if (!url.startsWith('/')) {
    const slash = url.indexOf('/', url.indexOf(':') + 3)
    if (slash === -1) return normalised(url)
    start = slash
  }
  let end = url.length
  let query = -1
  for (let index = start; index < url.length; index++) {
    const code = url.charCodeAt(index)
    if (code === 63 /* ? */) {
      query = index
      end = index
      break
    }
    if (code === 35 /* # */) return normalised(url)
  }
  const path = url.slice(start, end)
  if (!plainPath.test(path) || dotSegment.test(path)) return normalised(url)
  const search = query === -1 ? '' : url.slice(query + 1)
  if (search.includes('#')) return normalised(url)
  return { path: decodePath(path), search }
}

function normalised(url: string): { path: string; search: string } {
  const parsed = new URL(url.startsWith('/') ? `http://localhost${url}` : url)
  return { path: decodePath(parsed.pathname), search: parsed.search.slice(1) }
}

// Path decoding as the router always did it (hono's `getPath`): `decodeURI`, keeping `%25`
// (a literal percent) encoded so that a parameter is decoded exactly once.
function tryDecode(value: string, decoder: (text: string) => string): string {
  try {
    return decoder(value)
  } catch {
    return value.replace(/(?:%[0-9A-Fa-f]{2})+/g, (match) => {
      try {
        return decoder(match)
      } catch {
        return match
      }
    })
  }
}

const decodeKeepingPercent = (value: string) =>
  decodeURI(value.includes('%25') ? value.replace(/%25/g, '%2525') : value)

function decodePath(path: string): string {
  if (!path.includes('%')) return path
  const decoded = tryDecode(path, decodeKeepingPercent)
  if (/%(?![0-9A-Fa-f]{2})/.test(path)) {
    const rewritten = new URL('http://localhost')
    rewritten.pathname = decoded.replace(/[\\\t\n\r]/g, encodeURIComponent)
    if (tryDecode(rewritten.pathname, decodeKeepingPercent) !== decoded) {
      return tryDecode(path.replace(/%(?![0-9A-Fa-f]{2})/g, '%25'), decodeKeepingPercent)
    }
  }
  return decoded
}

function decodeParam(value: string): string {
  return value.includes('%') ? tryDecode(value, decodeURIComponent) : value
}
