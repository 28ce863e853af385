import { z } from 'zod'
import type { ConnectorAction } from '@tessera/core'
import { ConnectorError } from '../connector-error'
import type { HttpConnectorConfig } from './http-connector-config'
import { headerRecordSchema } from './header-record-schema'
import { firstPageUrl, httpPaginationSchema, nextCursor, nextPageUrl } from './http-pagination'
import { defaultHttpTimeoutMs } from './http-request-action'
import { httpStatusError } from './http-status-error'
import { jsonPointerSchema, readJsonPointer } from './json-pointer'
import { prepareHttpRequest } from './prepare-http-request'
import { isUnderBase, sendHttpRequest, urlUnderBase } from './send-http-request'

const queryValueSchema = z.union([z.string(), z.number(), z.boolean()])

/**
 * The input schema of the HTTP connector's `paginate` action: the first request (`GET` by
 * default, or `POST` with a body), where the items are in each page (`itemsPath`, a JSON
 * Pointer; `""` when the body is the array), how the next page is found (`pagination`), and
 * the limits `maxPages` (default 100) and `maxItems`.
 *
 * @example
 * ```ts
 * httpPaginateInputSchema.parse({ path: '/issues', itemsPath: '/data', pagination: { type: 'link' }, maxPages: 5 })
 * ```
 */
export const httpPaginateInputSchema = z
  .object({
    method: z.enum(['GET', 'POST']).default('GET').describe('GET (default) or POST'),
    path: z
      .string()
      .regex(/^\/[^?#]*$/, 'a path that starts with "/" and has no "?" or "#"')
      .describe('The path of the first page under the base URL'),
    query: z
      .record(z.string(), z.union([queryValueSchema, z.array(queryValueSchema)]))
      .optional()
      .describe('Query parameters of the first page'),
    headers: headerRecordSchema.optional().describe('Headers of every page request'),
    body: z.unknown().optional().describe('The JSON body of every page request (POST only)'),
    itemsPath: jsonPointerSchema
      .default('')
      .describe('JSON Pointer to the array of items in each page ("" = the body)'),
    pagination: httpPaginationSchema,
    maxPages: z.number().int().min(1).max(10_000).default(100).describe('At most this many pages'),
    maxItems: z.number().int().min(1).optional().describe('At most this many items'),
  })
  .strict()
  .refine((input) => input.body === undefined || input.method === 'POST', {
    message: 'only a POST request can have a body',
    path: ['body'],
  })
  .refine(
    (input) =>
      input.pagination.type !== 'cursor' ||
      input.pagination.in !== 'body' ||
      (input.method === 'POST' &&
        (input.body === undefined ||
          (typeof input.body === 'object' && input.body !== null && !Array.isArray(input.body)))),
    {
      message: 'a cursor in the body needs method POST and an object body (or none)',
      path: ['pagination', 'in'],
    },
  )

/**
 * The output of `paginate`: the items of every page read, in order; the number of pages; and
 * `truncated`, true when `maxPages` or `maxItems` stopped it before the last page.
 *
 * @example
 * ```ts
 * const { items, pages, truncated } = httpPaginateOutputSchema.parse(output)
 * ```
 */
export const httpPaginateOutputSchema = z.object({
  items: z.array(z.unknown()).describe('The items of every page, in order'),
  pages: z.number().int().describe('How many pages were read'),
  truncated: z.boolean().describe('True when a limit stopped it before the last page'),
})

/**
 * The input of the `paginate` action.
 *
 * @example
 * ```ts
 * const input: HttpPaginateInput = { path: '/issues', pagination: { type: 'link' } }
 * ```
 */
export type HttpPaginateInput = z.input<typeof httpPaginateInputSchema>
/**
 * The output of the `paginate` action.
 *
 * @example
 * ```ts
 * const output: HttpPaginateOutput = { items: [{ id: 1 }], pages: 1, truncated: false }
 * ```
 */
export type HttpPaginateOutput = z.output<typeof httpPaginateOutputSchema>

/**
 * Builds the `paginate` action: requests pages one after the other, collects the items at
 * `itemsPath`, and follows the pagination strategy until the last page or a limit. Any 4xx or
 * 5xx throws a `ConnectorError` (as with `errors: 'throw'`); a `Link` that leads away from the
 * base URL is refused (`invalid-response`), so credentials never go to another host. Page 1
 * carries the step's idempotency key; page n the key with `:page-n` appended.
 *
 * @example
 * ```ts
 * const paginate = createHttpPaginateAction({ connectorId: 'http', fetch: () => globalThis.fetch })
 * ```
 */
export function createHttpPaginateAction(settings: {
  connectorId: string
  fetch: () => typeof globalThis.fetch
}): ConnectorAction<
  HttpConnectorConfig,
  z.output<typeof httpPaginateInputSchema>,
  HttpPaginateOutput
> {
  const fail = (reason: ConnectorError['reason'], message: string) =>
    new ConnectorError({ connector: settings.connectorId, action: 'paginate', reason, message })
  return {
    title: 'Read every page',
    description:
      'Requests a paginated list page after page (Link header, cursor, page number or offset) and returns all items',
    examples: [
      {
        title: 'Follow Link headers',
        input: {
          method: 'GET',
          path: '/issues',
          query: { per_page: 100 },
          itemsPath: '',
          pagination: { type: 'link' },
          maxPages: 100,
        },
      },
      {
        title: 'Follow a cursor',
        input: {
          method: 'GET',
          path: '/customers',
          itemsPath: '/data',
          pagination: { type: 'cursor', cursorPath: '/next_cursor', param: 'cursor', in: 'query' },
          maxPages: 100,
          maxItems: 500,
        },
      },
    ],
    input: httpPaginateInputSchema,
    output: httpPaginateOutputSchema,
    async run({ config, input, signal, idempotencyKey, logger }) {
      const first = urlUnderBase(config.baseUrl, input.path, input.query)
      if (first === undefined)
        throw fail(
          'invalid-request',
          `path ${JSON.stringify(input.path)} leaves the base URL ${config.baseUrl}`,
        )
      const base = new URL(config.baseUrl)
      const items: unknown[] = []
      let url: URL | undefined = firstPageUrl(input.pagination, first)
      let body = input.body
      let pages = 0
      while (url !== undefined) {
        if (
          pages >= input.maxPages ||
          (input.maxItems !== undefined && items.length >= input.maxItems)
        )
          return { items, pages, truncated: true }
        if (!isUnderBase(url, base))
          throw fail(
            'invalid-response',
            `page ${pages + 1} links to ${url.origin}${url.pathname}, outside the base URL ${base.origin}${base.pathname} (credentials are not sent there)`,
          )
        const headers = prepareHttpRequest({
          connector: settings.connectorId,
          action: 'paginate',
          url,
          configHeaders: config.headers,
          auth: config.auth,
          idempotencyKey: pages === 0 ? idempotencyKey : `${idempotencyKey}:page-${pages + 1}`,
          ...(input.headers ? { headers: input.headers } : {}),
        })
        const response = await sendHttpRequest({
          connector: settings.connectorId,
          action: 'paginate',
          fetch: settings.fetch(),
          method: input.method,
          url,
          headers,
          body,
          signal,
          timeoutMs: config.timeoutMs ?? defaultHttpTimeoutMs,
          logger,
        })
        const error = httpStatusError({
          connector: settings.connectorId,
          action: 'paginate',
          where: response.where,
          status: response.status,
          headers: response.headers,
          body: response.body,
        })
        if (error) throw error
        pages++
        const found = readJsonPointer(response.body, input.itemsPath)
        if (!Array.isArray(found))
          throw fail(
            'invalid-response',
            `${response.where}: page ${pages} has no array at ${JSON.stringify(input.itemsPath)} (found ${found === null ? 'null' : typeof found})`,
          )
        const room = input.maxItems === undefined ? found.length : input.maxItems - items.length
        items.push(...found.slice(0, room))
        const next = nextPageUrl(input.pagination, {
          url,
          headers: response.headers,
          body: response.body,
          itemCount: found.length,
        })
        if (found.length > room) return { items, pages, truncated: true }
        if (
          next !== undefined &&
          input.pagination.type === 'cursor' &&
          input.pagination.in === 'body'
        )
          body = {
            ...(body as Record<string, unknown> | undefined),
            [input.pagination.param]: nextCursor(input.pagination, response.body),
          }
        url = next
      }
      return { items, pages, truncated: false }
    },
  }
}
