import { z } from 'zod'
import { jsonPointerSchema, readJsonPointer } from './json-pointer'
import { parseLinkHeader } from './link-header'

const paramName = z.string().min(1).max(100)

/**
 * How the next page is found: `link` follows the `Link: <…>; rel="next"` header; `cursor`
 * reads the next cursor at a JSON Pointer in the body and sends it as a query parameter
 * (stops when it is missing, null or empty); `page` counts pages in a query parameter from
 * `start`; `offset` advances an offset parameter by the number of items received. `page` and
 * `offset` stop at an empty page, or at a short page when the page size is known.
 *
 * @example
 * ```ts
 * httpPaginationSchema.parse({ type: 'cursor', cursorPath: '/meta/next_cursor', param: 'cursor' })
 * httpPaginationSchema.parse({ type: 'page', param: 'page', start: 1, pageSize: 50, sizeParam: 'per_page' })
 * ```
 */
export const httpPaginationSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('link').describe('Follow Link: rel="next"') }).strict(),
    z
      .object({
        type: z.literal('cursor').describe('Send the cursor found in each page'),
        cursorPath: jsonPointerSchema.describe('JSON Pointer to the next cursor in the body'),
        param: paramName.describe('The query parameter (or body field) that carries the cursor'),
        in: z
          .enum(['query', 'body'])
          .default('query')
          .describe('Send the cursor in the query (default) or as a field of the JSON body (POST)'),
      })
      .strict(),
    z
      .object({
        type: z.literal('page').describe('Number pages in a query parameter'),
        param: paramName.default('page').describe('The page number parameter (default "page")'),
        start: z.number().int().min(0).default(1).describe('The first page number (default 1)'),
        pageSize: z.number().int().min(1).optional().describe('Items per page, when known'),
        sizeParam: paramName.optional().describe('The parameter that sends pageSize'),
      })
      .strict(),
    z
      .object({
        type: z.literal('offset').describe('Advance an offset by the items received'),
        param: paramName.default('offset').describe('The offset parameter (default "offset")'),
        limit: z.number().int().min(1).optional().describe('Items per page, when known'),
        limitParam: paramName.optional().describe('The parameter that sends limit'),
      })
      .strict(),
  ])
  .describe('How the next page is found')

/**
 * A pagination strategy (see {@link httpPaginationSchema}).
 *
 * @example
 * ```ts
 * const pagination: HttpPagination = { type: 'offset', param: 'offset', limit: 50, limitParam: 'limit' }
 * ```
 */
export type HttpPagination = z.output<typeof httpPaginationSchema>

/**
 * The URL of the first page: the page, offset and size parameters of the strategy set on
 * `url` (a copy) unless the caller's query already set them.
 *
 * @example
 * ```ts
 * firstPageUrl({ type: 'page', param: 'page', start: 1, pageSize: 50, sizeParam: 'per_page' }, new URL('https://api.example.com/items')).search // '?page=1&per_page=50'
 * ```
 */
export function firstPageUrl(pagination: HttpPagination, url: URL): URL {
  const next = new URL(url)
  const setDefault = (name: string | undefined, value: number | undefined) => {
    if (name !== undefined && value !== undefined && !next.searchParams.has(name))
      next.searchParams.set(name, String(value))
  }
  if (pagination.type === 'page') {
    setDefault(pagination.param, pagination.start)
    setDefault(pagination.sizeParam, pagination.pageSize)
  } else if (pagination.type === 'offset') {
    setDefault(pagination.param, 0)
    setDefault(pagination.limitParam, pagination.limit)
  }
  return next
}

/**
 * The URL of the page after the one just read, or undefined when it was the last. `url` is the
 * page's request URL; `itemCount` the number of items it held. A `Link` target is resolved
 * against `url` (callers must check where it leads before sending credentials there).
 *
 * @example
 * ```ts
 * const next = nextPageUrl({ type: 'link' }, { url, headers: response.headers, body, itemCount: 20 })
 * ```
 */
export function nextPageUrl(
  pagination: HttpPagination,
  page: { url: URL; headers: Headers; body: unknown; itemCount: number },
): URL | undefined {
  switch (pagination.type) {
    case 'link': {
      const next = parseLinkHeader(page.headers.get('link')).next
      return next === undefined ? undefined : new URL(next, page.url)
    }
    case 'cursor': {
      const cursor = nextCursor(pagination, page.body)
      if (cursor === undefined) return undefined
      if (pagination.in === 'body') return new URL(page.url)
      const next = new URL(page.url)
      next.searchParams.set(
        pagination.param,
        typeof cursor === 'string' ? cursor : JSON.stringify(cursor),
      )
      return next
    }
    case 'page': {
      if (page.itemCount === 0) return undefined
      if (pagination.pageSize !== undefined && page.itemCount < pagination.pageSize)
        return undefined
      const current = Number(page.url.searchParams.get(pagination.param) ?? pagination.start)
      const next = new URL(page.url)
      next.searchParams.set(pagination.param, String(current + 1))
      return next
    }
    case 'offset': {
      if (page.itemCount === 0) return undefined
      if (pagination.limit !== undefined && page.itemCount < pagination.limit) return undefined
      const current = Number(page.url.searchParams.get(pagination.param) ?? 0)
      const next = new URL(page.url)
      next.searchParams.set(pagination.param, String(current + page.itemCount))
      return next
    }
  }
}

/**
 * The next cursor of a `cursor` strategy: the value at `cursorPath` in a page's body, or
 * undefined when it is missing, null, `""` or false (the last page).
 *
 * @example
 * ```ts
 * nextCursor({ type: 'cursor', cursorPath: '/next_cursor', param: 'start_cursor', in: 'body' }, { next_cursor: 'c2' }) // 'c2'
 * ```
 */
export function nextCursor(
  pagination: Extract<HttpPagination, { type: 'cursor' }>,
  body: unknown,
): unknown {
  const cursor = readJsonPointer(body, pagination.cursorPath)
  return cursor === undefined || cursor === null || cursor === '' || cursor === false
    ? undefined
    : cursor
}
