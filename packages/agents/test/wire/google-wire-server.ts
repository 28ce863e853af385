import { readFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ModelResponse, TokenUsage } from '@tessera/core'
import type { ModelWireReply, ModelWireRequest, ModelWireServer } from '@tessera/core/testing'
import { listenLocally } from './listen-locally'

/** A reply in Gemini's own shape, for tests of what the script form cannot say. */
export interface GoogleRawReply {
  type: 'raw'
  status?: number
  /** A JSON body (generateContent), or the server-sent events' JSON chunks (streaming). */
  body?: unknown
  chunks?: unknown[]
  headers?: Record<string, string>
  /** Streaming: send the chunks, then keep the stream open without ending it. */
  keepOpen?: boolean
}

/** A {@link ModelWireServer} speaking the Gemini API, plus replies in Gemini's own shape. */
export interface GoogleWireServer extends ModelWireServer {
  /** Scripts replies given as Gemini bodies, mixed freely with the vendor-neutral ones. */
  reply(...replies: (ModelWireReply | GoogleRawReply)[]): void
}

/** Options of {@link createGoogleWireServer}. */
export interface GoogleWireServerOptions {
  /**
   * Whether function calls carry the script's ids (`functionCall.id`). Gemini models that do
   * not number their calls leave it out: `false` renders them that way. Default `true`.
   */
  functionCallIds?: boolean
}

type GeminiBody = Record<string, any>

const fixtureDirectory = new URL('./fixtures/google/', import.meta.url)

/** Reads a recorded Gemini response under `fixtures/google/`. */
export function readGoogleFixture(name: string): string {
  return readFileSync(new URL(name, fixtureDirectory), 'utf8')
}

const fixtures = {
  text: JSON.parse(readGoogleFixture('generate-content-text.json')) as GeminiBody,
  functionCall: JSON.parse(readGoogleFixture('generate-content-function-call.json')) as GeminiBody,
  stream: parseEvents(readGoogleFixture('stream-generate-content-text.sse')),
}

/** The recorded error bodies, by Gemini's status name. */
const errorFixtures: Record<string, string> = {
  INVALID_ARGUMENT: 'error-invalid-argument.json',
  UNAUTHENTICATED: 'error-unauthenticated.json',
  PERMISSION_DENIED: 'error-permission-denied.json',
  NOT_FOUND: 'error-not-found.json',
  RESOURCE_EXHAUSTED: 'error-resource-exhausted.json',
  INTERNAL: 'error-internal.json',
  UNAVAILABLE: 'error-unavailable.json',
  DEADLINE_EXCEEDED: 'error-deadline-exceeded.json',
}

/** google.rpc.Code names by HTTP status, as the Gemini API pairs them. */
const statusNames: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  408: 'DEADLINE_EXCEEDED',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
}

const finishReasons: Record<ModelResponse['finishReason'], string> = {
  stop: 'STOP',
  'tool-calls': 'STOP',
  length: 'MAX_TOKENS',
  'content-filter': 'SAFETY',
  error: 'MALFORMED_FUNCTION_CALL',
  other: 'OTHER',
}

/**
 * A local server speaking the Gemini API (`POST /v1beta/models/<model>:generateContent` and
 * `:streamGenerateContent?alt=sse`) for tests through the `@google/genai` SDK. It renders
 * {@link ModelWireReply} scripts from responses recorded from the API (`fixtures/google/`):
 * candidates with `content.parts`, `finishReason`, `usageMetadata`, `modelVersion`, `responseId`;
 * errors as `{ error: { code, message, status, details } }` (a 429 carries `Retry-After` and a
 * `google.rpc.RetryInfo` detail). Give `url` to the SDK as `httpOptions.baseUrl`.
 *
 * @example
 * ```ts
 * const server = await createGoogleWireServer()
 * server.reply({ type: 'answer', text: 'Hi' })
 * const ai = new GoogleGenAI({ apiKey: 'test', httpOptions: { baseUrl: server.url } })
 * ```
 */
export async function createGoogleWireServer(
  options: GoogleWireServerOptions = {},
): Promise<GoogleWireServer> {
  const replies: (ModelWireReply | GoogleRawReply)[] = []
  const requests: ModelWireRequest[] = []
  let served = 0
  // Numbers the answers, so that each gets its own responseId, as Gemini's do.
  let answers = 0

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const text = await readBody(request)
    let body: unknown
    try {
      body = text === '' ? undefined : JSON.parse(text)
    } catch {
      body = text
    }
    const path = request.url ?? '/'
    requests.push({
      method: request.method ?? 'GET',
      path,
      headers: Object.fromEntries(
        Object.entries(request.headers).map(([name, value]) => [
          name,
          Array.isArray(value) ? value.join(', ') : (value ?? ''),
        ]),
      ),
      body,
    })
    const url = new URL(path, 'http://127.0.0.1')
    const route =
      /^\/v1(?:beta|alpha)?\/models\/([^:/]+):(generateContent|streamGenerateContent)$/.exec(
        url.pathname,
      )
    if (request.method !== 'POST' || !route) {
      sendError(response, 404, `No route for ${request.method} ${url.pathname}`)
      return
    }
    const model = decodeURIComponent(route[1]!)
    const streaming = route[2] === 'streamGenerateContent' && url.searchParams.get('alt') === 'sse'
    const reply = replies[served]
    if (reply === undefined) {
      sendError(
        response,
        500,
        `The Google wire server has no reply scripted for request ${requests.length} (${replies.length} scripted)`,
      )
      return
    }
    served++
    answers++
    render(reply, response, {
      model,
      streaming,
      functionCallIds: options.functionCallIds ?? true,
      answer: answers,
    })
  }

  const local = await listenLocally((request, response) => void handle(request, response))

  return {
    url: local.origin,
    reply(...next) {
      replies.push(...next)
    },
    get requests() {
      return requests
    },
    reset() {
      replies.length = 0
      requests.length = 0
      served = 0
    },
    close: local.close,
  }
}

function render(
  reply: ModelWireReply | GoogleRawReply,
  response: ServerResponse,
  context: { model: string; streaming: boolean; functionCallIds: boolean; answer: number },
): void {
  switch (reply.type) {
    case 'hang':
      return
    case 'malformed':
      if (context.streaming) {
        // A stream cut off in the middle of an event.
        response.writeHead(200, { 'content-type': 'text/event-stream' })
        response.end('data: {"candidates": [{"content": {"parts": [{"text": "Par')
      } else {
        response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' })
        response.end('{"candidates": [{"content": {"parts": [{"text": "Par')
      }
      return
    case 'error':
      sendScriptedError(response, reply, context.model)
      return
    case 'raw': {
      const headers = reply.headers ?? {}
      if (context.streaming && reply.chunks) {
        response.writeHead(reply.status ?? 200, {
          'content-type': 'text/event-stream',
          ...headers,
        })
        const events = reply.chunks
          .map((chunk) => `data: ${JSON.stringify(chunk)}${fixtures.stream.separator}`)
          .join('')
        if (reply.keepOpen) response.write(events)
        else response.end(events)
      } else {
        response.writeHead(reply.status ?? 200, {
          'content-type': 'application/json; charset=UTF-8',
          ...headers,
        })
        response.end(JSON.stringify(reply.body ?? reply.chunks?.[0] ?? {}))
      }
      return
    }
    case 'answer': {
      if (context.streaming) {
        response.writeHead(200, { 'content-type': 'text/event-stream' })
        response.end(
          renderChunks(reply, context)
            .map((chunk) => `data: ${JSON.stringify(chunk)}${fixtures.stream.separator}`)
            .join(''),
        )
      } else {
        response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' })
        response.end(JSON.stringify(renderAnswer(reply, context), null, 2))
      }
      return
    }
  }
}

type Answer = Extract<ModelWireReply, { type: 'answer' }>

/** The answer's parts: its text (or JSON), then a `functionCall` part per tool call. */
function answerParts(reply: Answer, functionCallIds: boolean): GeminiBody[] {
  const parts: GeminiBody[] = []
  const text = reply.json !== undefined ? JSON.stringify(reply.json) : reply.text
  if (text !== undefined) parts.push({ text })
  const signature = fixtures.functionCall.candidates[0].content.parts[0].thoughtSignature
  reply.toolCalls?.forEach((call, index) => {
    parts.push({
      functionCall: {
        ...(functionCallIds ? { id: call.id } : {}),
        name: call.name,
        args: call.input,
      },
      // Gemini signs the first function call of a step.
      ...(index === 0 ? { thoughtSignature: signature } : {}),
    })
  })
  return parts
}

function usageMetadata(template: GeminiBody, usage: TokenUsage | undefined): GeminiBody {
  const input = usage?.inputTokens ?? template.promptTokenCount
  const output = usage?.outputTokens ?? template.candidatesTokenCount
  return {
    ...template,
    promptTokenCount: input,
    candidatesTokenCount: output,
    totalTokenCount: input + output,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: input }],
    thoughtsTokenCount: undefined,
    ...(usage?.cachedInputTokens === undefined
      ? {}
      : {
          cachedContentTokenCount: usage.cachedInputTokens,
          cacheTokensDetails: [{ modality: 'TEXT', tokenCount: usage.cachedInputTokens }],
        }),
  }
}

type AnswerContext = { functionCallIds: boolean; answer: number }

function renderAnswer(reply: Answer, context: AnswerContext): GeminiBody {
  const template = reply.toolCalls?.length ? fixtures.functionCall : fixtures.text
  const [candidate] = template.candidates
  return {
    ...template,
    responseId: `${template.responseId}${context.answer}`,
    candidates: [
      {
        ...candidate,
        content: { parts: answerParts(reply, context.functionCallIds), role: 'model' },
        finishReason: finishReasons[reply.finishReason ?? 'stop'],
      },
    ],
    usageMetadata: usageMetadata(template.usageMetadata, reply.usage),
  }
}

/**
 * The answer as Gemini streams it: the text in pieces, one chunk each, every chunk carrying the
 * prompt's usage, the model version and the response id; function calls whole, after the text;
 * the last chunk with the finish reason and the full usage.
 */
function renderChunks(reply: Answer, context: AnswerContext): GeminiBody[] {
  const [first, last] = [fixtures.stream.chunks[0]!, fixtures.stream.chunks.at(-1)!]
  const parts = answerParts(reply, context.functionCallIds)
  const pieces: GeminiBody[][] = []
  for (const part of parts) {
    if (typeof part.text === 'string' && part.text.length > 0) {
      for (const piece of part.text.split(/(?<=\s)(?=\S)/)) pieces.push([{ text: piece }])
    } else {
      pieces.push([part])
    }
  }
  if (pieces.length === 0) pieces.push([{ text: '' }])
  const usage = usageMetadata(last.usageMetadata, reply.usage)
  return pieces.map((chunkParts, index) => {
    const final = index === pieces.length - 1
    const template = final ? last : first
    return {
      ...template,
      responseId: `${template.responseId}${context.answer}`,
      candidates: [
        {
          ...template.candidates[0],
          content: { parts: chunkParts, role: 'model' },
          ...(final ? { finishReason: finishReasons[reply.finishReason ?? 'stop'] } : {}),
        },
      ],
      usageMetadata: final
        ? usage
        : {
            ...first.usageMetadata,
            promptTokenCount: usage.promptTokenCount,
            totalTokenCount: usage.promptTokenCount,
            promptTokensDetails: usage.promptTokensDetails,
            thoughtsTokenCount: undefined,
          },
    }
  })
}

function sendScriptedError(
  response: ServerResponse,
  reply: Extract<ModelWireReply, { type: 'error' }>,
  model: string,
): void {
  const status =
    statusNames[reply.status] ?? (reply.status >= 500 ? 'UNKNOWN' : 'FAILED_PRECONDITION')
  // Gemini's own error names pass through: API_KEY_INVALID (an ErrorInfo reason) picks its
  // recorded body, and a google.rpc.Code name replaces the status.
  const fixture =
    reply.errorType === 'context_length_exceeded'
      ? 'error-input-token-count.json'
      : reply.errorType === 'API_KEY_INVALID'
        ? 'error-api-key-invalid.json'
        : errorFixtures[status]
  const body: GeminiBody = fixture
    ? JSON.parse(readGoogleFixture(fixture))
    : { error: { code: reply.status, message: `Scripted ${status} error`, status } }
  body.error.code = reply.status
  if (fixture === errorFixtures.NOT_FOUND) {
    body.error.message = body.error.message.replace('gemini-9.9-ultra', model)
  }
  if (reply.message !== undefined) body.error.message = reply.message
  if (
    reply.errorType !== undefined &&
    /^[A-Z_]+$/.test(reply.errorType) &&
    reply.errorType !== 'API_KEY_INVALID'
  ) {
    body.error.status = reply.errorType
  }
  const details = (body.error.details ?? []).filter(
    (detail: GeminiBody) =>
      detail['@type'] !== 'type.googleapis.com/google.rpc.RetryInfo' ||
      reply.retryAfter !== undefined,
  )
  for (const detail of details) {
    if (detail['@type'] === 'type.googleapis.com/google.rpc.RetryInfo') {
      detail.retryDelay = `${reply.retryAfter}s`
    }
  }
  if (details.length > 0) body.error.details = details
  else delete body.error.details
  response.writeHead(reply.status, {
    'content-type': 'application/json; charset=UTF-8',
    ...(reply.retryAfter === undefined ? {} : { 'retry-after': String(reply.retryAfter) }),
  })
  response.end(JSON.stringify(body, null, 2))
}

function sendError(response: ServerResponse, code: number, message: string): void {
  response.writeHead(code, { 'content-type': 'application/json; charset=UTF-8' })
  response.end(JSON.stringify({ error: { code, message, status: statusNames[code] ?? 'UNKNOWN' } }))
}

/** Splits a recorded stream into its JSON chunks, keeping the event separator it used. */
function parseEvents(text: string): { chunks: GeminiBody[]; separator: string } {
  const separator = text.includes('\r\n\r\n') ? '\r\n\r\n' : '\n\n'
  const chunks = text
    .split(separator)
    .map((event) => event.trim())
    .filter((event) => event.startsWith('data:'))
    .map((event) => JSON.parse(event.slice('data:'.length)) as GeminiBody)
  return { chunks, separator }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}
