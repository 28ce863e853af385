import { z } from 'zod'
import type { ConnectorAction, Logger } from '@tessera/core'
import { ConnectorError } from '../connector-error'
import { defaultHttpTimeoutMs } from '../http/http-request-action'
import { httpStatusError } from '../http/http-status-error'
import { prepareHttpRequest } from '../http/prepare-http-request'
import { sendHttpRequest } from '../http/send-http-request'
import type {
  GraphqlConnectorConfig,
  ResolvedGraphqlConnectorConfig,
} from './graphql-connector-config'

/**
 * The input of the GraphQL connector's `query` action: a query or mutation document,
 * its variables, the operation to run when the document has several, and `partial` (when
 * true, an answer with both `data` and `errors` is returned instead of thrown).
 *
 * @example
 * ```ts
 * graphqlQueryInputSchema.parse({ query: 'query Pet($id: ID!) { pet(id: $id) { name } }', variables: { id: '1' } })
 * ```
 */
export const graphqlQueryInputSchema = z
  .object({
    query: z.string().min(1).describe('The GraphQL document (query or mutation)'),
    variables: z.record(z.string(), z.unknown()).optional().describe('The operation’s variables'),
    operationName: z
      .string()
      .regex(/^[_A-Za-z][_0-9A-Za-z]*$/, 'a GraphQL name')
      .optional()
      .describe('Which operation of the document to run (required when it has several)'),
    partial: z
      .boolean()
      .optional()
      .describe('Return data with errors instead of throwing when the answer has both'),
  })
  .strict()

const graphqlErrorSchema = z
  .object({
    message: z.string(),
    path: z.array(z.union([z.string(), z.number()])).optional(),
    locations: z.array(z.object({ line: z.number(), column: z.number() })).optional(),
    extensions: z.record(z.string(), z.unknown()).optional(),
  })
  .describe('A GraphQL error as the server reported it')

/**
 * The output of `query`: `data` as the server answered it, and `errors` (only with
 * `partial: true` and a partial answer) and `extensions` when present.
 *
 * @example
 * ```ts
 * const { data } = graphqlQueryOutputSchema.parse(output)
 * ```
 */
export const graphqlQueryOutputSchema = z.object({
  data: z.record(z.string(), z.unknown()).nullable().describe('The result of the operation'),
  errors: z.array(graphqlErrorSchema).optional().describe('Errors of a partial answer'),
  extensions: z.record(z.string(), z.unknown()).optional().describe('Server extensions'),
})

/**
 * The input of `query`.
 *
 * @example
 * ```ts
 * const input: GraphqlQueryInput = { query: '{ viewer { login } }' }
 * ```
 */
export type GraphqlQueryInput = z.input<typeof graphqlQueryInputSchema>
/**
 * The output of `query`.
 *
 * @example
 * ```ts
 * const output: GraphqlQueryOutput = { data: { viewer: { login: 'ann' } } }
 * ```
 */
export type GraphqlQueryOutput = z.output<typeof graphqlQueryOutputSchema>

type GraphqlModule = typeof import('graphql')

/** Loads the optional `graphql` peer. */
async function loadGraphql(connector: string, action: string): Promise<GraphqlModule> {
  try {
    return await import('graphql')
  } catch (error) {
    throw new ConnectorError({
      connector,
      action,
      reason: 'invalid-config',
      message: 'install graphql to use the GraphQL connector',
      cause: error,
    })
  }
}

/**
 * Checks a GraphQL document with `graphql`'s parser before it is sent: a syntax error gives a
 * `ConnectorError` (`invalid-request`) with the line and column; so does an `operationName`
 * that the document lacks, or a document with several operations and no `operationName`.
 *
 * @example
 * ```ts
 * await checkGraphqlDocument({ connector: 'graphql', action: 'query', query: '{ viewer { login } }' })
 * ```
 */
export async function checkGraphqlDocument(options: {
  connector: string
  action: string
  query: string
  operationName?: string | undefined
}): Promise<void> {
  const graphql = await loadGraphql(options.connector, options.action)
  const fail = (message: string, cause?: unknown) =>
    new ConnectorError({
      connector: options.connector,
      action: options.action,
      reason: 'invalid-request',
      message,
      cause,
    })
  let document: import('graphql').DocumentNode
  try {
    document = graphql.parse(options.query)
  } catch (error) {
    if (error instanceof graphql.GraphQLError) {
      const location = error.locations?.[0]
      throw fail(
        `the query is not valid GraphQL${location ? ` at line ${location.line}, column ${location.column}` : ''}: ${error.message}`,
        error,
      )
    }
    throw error
  }
  const operations = document.definitions.filter(
    (definition) => definition.kind === graphql.Kind.OPERATION_DEFINITION,
  )
  const names = operations.map((operation) => operation.name?.value)
  if (operations.length === 0) throw fail('the query has no operation (only fragments)')
  if (options.operationName !== undefined && !names.includes(options.operationName))
    throw fail(
      `operationName ${JSON.stringify(options.operationName)} is not in the query (it has ${names.map((name) => name ?? '(anonymous)').join(', ')})`,
    )
  if (options.operationName === undefined && operations.length > 1)
    throw fail(
      `the query has ${operations.length} operations (${names.map((name) => name ?? '(anonymous)').join(', ')}): say which one in operationName`,
    )
}

const errorCodeReasons: Record<string, ConnectorError['reason']> = {
  UNAUTHENTICATED: 'unauthorized',
  FORBIDDEN: 'unauthorized',
  NOT_FOUND: 'not-found',
  BAD_USER_INPUT: 'invalid-request',
  GRAPHQL_VALIDATION_FAILED: 'invalid-request',
  GRAPHQL_PARSE_FAILED: 'invalid-request',
  // GitHub and Shopify report their rate limits this way (with HTTP 200).
  RATE_LIMITED: 'rate-limited',
  THROTTLED: 'rate-limited',
}

function describeErrors(errors: z.output<typeof graphqlErrorSchema>[]): string {
  const shown = errors
    .slice(0, 5)
    .map((error) => `${error.message}${error.path ? ` (at ${error.path.join('.')})` : ''}`)
  return `${shown.join('; ')}${errors.length > 5 ? `; and ${errors.length - 5} more` : ''}`
}

/**
 * Sends one GraphQL operation as `POST` JSON and reads the answer: HTTP 401/403, 404, 429 and
 * 5xx map to `ConnectorError` as for HTTP; an `errors` array throws `remote` (or `unauthorized`,
 * `not-found`, `invalid-request`, `rate-limited` from a well-known `extensions.code`) with the
 * messages, unless `partial` and some `data` came back. The transport of the `query` action and of `check`.
 *
 * @example
 * ```ts
 * const { data } = await executeGraphql({ connector: 'graphql', action: 'query', config, input: { query: '{ __typename }' }, fetch, signal, idempotencyKey, logger })
 * ```
 */
export async function executeGraphql(options: {
  connector: string
  action: string
  config: ResolvedGraphqlConnectorConfig
  input: z.output<typeof graphqlQueryInputSchema>
  fetch: typeof globalThis.fetch
  signal: AbortSignal
  idempotencyKey?: string
  logger: Logger
}): Promise<GraphqlQueryOutput> {
  const { connector, action, config, input } = options
  await checkGraphqlDocument({
    connector,
    action,
    query: input.query,
    operationName: input.operationName,
  })
  const url = new URL(config.endpoint)
  const headers = prepareHttpRequest({
    connector,
    action,
    url,
    configHeaders: config.headers,
    auth: config.auth,
    ...(options.idempotencyKey !== undefined ? { idempotencyKey: options.idempotencyKey } : {}),
    headers: {
      accept: 'application/graphql-response+json, application/json;q=0.9',
      'content-type': 'application/json',
    },
  })
  const response = await sendHttpRequest({
    connector,
    action,
    fetch: options.fetch,
    method: 'POST',
    url,
    headers,
    body: {
      query: input.query,
      ...(input.variables !== undefined ? { variables: input.variables } : {}),
      ...(input.operationName !== undefined ? { operationName: input.operationName } : {}),
    },
    signal: options.signal,
    timeoutMs: config.timeoutMs ?? defaultHttpTimeoutMs,
    logger: options.logger,
  })
  const parsed = z
    .object({
      data: z.record(z.string(), z.unknown()).nullable().optional(),
      errors: z.array(graphqlErrorSchema).optional(),
      extensions: z.record(z.string(), z.unknown()).optional(),
    })
    .safeParse(response.body)
  const graphqlAnswer =
    parsed.success && (parsed.data.data !== undefined || parsed.data.errors !== undefined)
  // A GraphQL-over-HTTP server answers 4xx with an errors list for a request it refused; the
  // statuses that mean credentials, rate limits or a broken server are mapped as for HTTP.
  const status = response.status
  if (
    status >= 400 &&
    (!graphqlAnswer || [401, 403, 404, 408, 429].includes(status) || status >= 500)
  ) {
    throw httpStatusError({
      connector,
      action,
      where: response.where,
      status,
      headers: response.headers,
      body:
        graphqlAnswer && parsed.data.errors
          ? { message: describeErrors(parsed.data.errors) }
          : response.body,
    })!
  }
  if (!parsed.success || !graphqlAnswer)
    throw new ConnectorError({
      connector,
      action,
      reason: 'invalid-response',
      status,
      message: `${response.where}: expected a GraphQL answer ({ data, errors }), got ${
        response.body === null ? 'an empty body' : typeof response.body
      }`,
    })
  const { data = null, errors = [], extensions } = parsed.data
  if (errors.length > 0 && !(input.partial === true && data !== null)) {
    const code = errors.find((error) => typeof error.extensions?.code === 'string')?.extensions
      ?.code as string | undefined
    const reason = (code !== undefined && errorCodeReasons[code]) || 'remote'
    throw new ConnectorError({
      connector,
      action,
      reason,
      status: code ?? status,
      retryable: reason === 'rate-limited',
      message: `GraphQL ${errors.length === 1 ? 'error' : `${errors.length} errors`}: ${describeErrors(errors)}`,
    })
  }
  return {
    data,
    ...(errors.length > 0 ? { errors } : {}),
    ...(extensions !== undefined ? { extensions } : {}),
  }
}

/**
 * Builds the `query` action (see {@link executeGraphql}).
 *
 * @example
 * ```ts
 * const query = createGraphqlQueryAction({ connectorId: 'graphql', fetch: () => globalThis.fetch })
 * ```
 */
export function createGraphqlQueryAction(settings: {
  connectorId: string
  fetch: () => typeof globalThis.fetch
}): ConnectorAction<
  GraphqlConnectorConfig,
  z.output<typeof graphqlQueryInputSchema>,
  GraphqlQueryOutput
> {
  return {
    title: 'Run a GraphQL operation',
    description:
      'Sends a query or mutation with variables and returns its data; GraphQL errors throw unless partial',
    examples: [
      {
        title: 'Read one object',
        input: {
          query: 'query Pet($id: ID!) { pet(id: $id) { id name } }',
          variables: { id: '1' },
        },
      },
      {
        title: 'A mutation',
        input: {
          query: 'mutation Adopt($id: ID!) { adopt(id: $id) { id status } }',
          variables: { id: '1' },
          operationName: 'Adopt',
        },
      },
    ],
    input: graphqlQueryInputSchema,
    output: graphqlQueryOutputSchema,
    run: ({ config, input, signal, idempotencyKey, logger }) =>
      executeGraphql({
        connector: settings.connectorId,
        action: 'query',
        config,
        input,
        fetch: settings.fetch(),
        signal,
        idempotencyKey,
        logger,
      }),
  }
}
