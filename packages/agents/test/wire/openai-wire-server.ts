import { readFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ModelResponse } from '@tessera/core'
import type { ModelWireReply, ModelWireRequest, ModelWireServer } from '@tessera/core/testing'
import { listenLocally } from './listen-locally'

/** A reply given as raw HTTP: for vendor-specific cases the neutral script cannot describe. */
export interface RawWireReply {
  type: 'raw'
  status: number
  headers?: Record<string, string>
  /** The body, sent as it is. */
  body: string
}

/** Settings of {@link createOpenAIWireServer}: the ways OpenAI-compatible servers differ. */
export interface OpenAIWireServerOptions {
  /**
   * The `response_format` types the server knows (default both). A request asking for another
   * gets a 400, as servers without JSON-schema support answer.
   */
  responseFormats?: readonly ('json_schema' | 'json_object')[]
  /** When set, a request without `Authorization: Bearer <apiKey>` gets a 401. */
  apiKey?: string
}

/** The OpenAI wire server: the neutral script, plus raw replies for vendor-specific tests. */
export interface OpenAIWireServer extends ModelWireServer {
  reply(...replies: (ModelWireReply | RawWireReply)[]): void
}

const fixtures = new URL('./fixtures/openai/', import.meta.url)
const readFixture = (name: string): string => readFileSync(new URL(name, fixtures), 'utf8')
const jsonFixture = (name: string): any => JSON.parse(readFixture(name))
/** The `data:` payloads of a recorded stream, `[DONE]` excluded. */
const chunkFixture = (name: string): any[] =>
  readFixture(name)
    .split('\n')
    .filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]')
    .map((line) => JSON.parse(line.slice('data: '.length)))

const finishReasons: Record<ModelResponse['finishReason'], string> = {
  stop: 'stop',
  length: 'length',
  'tool-calls': 'tool_calls',
  'content-filter': 'content_filter',
  error: 'stop',
  other: 'stop',
}

/**
 * A local server speaking OpenAI's Chat Completions API (`POST /v1/chat/completions`) on
 * 127.0.0.1, for the official `openai` SDK. Scripted `ModelWireReply`s are rendered from the
 * recorded responses in `fixtures/openai/`: JSON, or server-sent events when the request asks for
 * `stream: true` (the usage chunk only with `stream_options.include_usage`, as OpenAI does).
 * Errors use OpenAI's error bodies; `errorType: 'context_length_exceeded'` and `'model_not_found'`
 * pick OpenAI's own (and `'insufficient_quota'` its quota error).
 *
 * @example
 * ```ts
 * const server = await createOpenAIWireServer()
 * server.reply({ type: 'answer', text: 'Hi' })
 * const client = new OpenAI({ apiKey: 'test', baseURL: server.url, maxRetries: 0 })
 * ```
 */
export async function createOpenAIWireServer(
  options: OpenAIWireServerOptions = {},
): Promise<OpenAIWireServer> {
  const replies: (ModelWireReply | RawWireReply)[] = []
  const requests: ModelWireRequest[] = []
  let responseCount = 0

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    let body: any
    try {
      body = text ? JSON.parse(text) : undefined
    } catch {
      body = text
    }
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value
    }
    const path = new URL(request.url ?? '/', 'http://localhost').pathname
    requests.push({ method: request.method ?? 'GET', path, headers, body })

    if (request.method !== 'POST' || path !== '/v1/chat/completions') {
      return sendJson(response, 404, {
        error: {
          ...jsonFixture('error-invalid-url.json').error,
          message: `Invalid URL (${request.method} ${path})`,
        },
      })
    }
    if (options.apiKey !== undefined && headers.authorization !== `Bearer ${options.apiKey}`) {
      return sendJson(response, 401, jsonFixture('error-invalid-api-key.json'))
    }
    const format = body?.response_format?.type as string | undefined
    if (
      format !== undefined &&
      format !== 'text' &&
      !(options.responseFormats ?? ['json_schema', 'json_object']).includes(format as never)
    ) {
      return sendJson(response, 400, {
        error: {
          message: `response_format type "${format}" is not supported by this server`,
          type: 'invalid_request_error',
          param: 'response_format',
          code: null,
        },
      })
    }

    const reply = replies.shift()
    if (reply === undefined) {
      return sendJson(response, 500, {
        error: {
          message: `openai wire server: request ${requests.length} arrived with no reply scripted`,
          type: 'server_error',
          param: null,
          code: null,
        },
      })
    }
    const model = typeof body?.model === 'string' ? body.model : 'gpt-4o-mini'
    const id = `chatcmpl-wire${++responseCount}`
    switch (reply.type) {
      case 'raw':
        response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers })
        response.end(reply.body)
        return
      case 'hang':
        return // never answered: the client aborts, or close() cuts the connection
      case 'malformed':
        if (body?.stream === true) {
          const first = chunkFixture('chat-completion-chunks.sse')[0]
          response.writeHead(200, { 'content-type': 'text/event-stream' })
          response.write(`data: ${JSON.stringify({ ...first, id, model })}\n\n`)
          response.end(`data: {"id":"${id}","object":"chat.completion.chunk","choi\n\n`)
        } else {
          response.writeHead(200, { 'content-type': 'application/json' })
          response.end(JSON.stringify(jsonFixture('chat-completion.json')).slice(0, 80))
        }
        return
      case 'error':
        return sendError(response, reply, model)
      case 'answer':
        if (body?.stream === true) {
          return sendStream(response, reply, {
            id,
            model,
            usage: body.stream_options?.include_usage === true,
          })
        }
        return sendJson(response, 200, completionOf(reply, id, model))
    }
  }

  const local = await listenLocally((request, response) => void handle(request, response))

  return {
    url: `${local.origin}/v1`,
    reply: (...more) => {
      replies.push(...more)
    },
    get requests() {
      return requests
    },
    reset: () => {
      replies.length = 0
      requests.length = 0
    },
    close: local.close,
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' })
  response.end(JSON.stringify(body))
}

function sendError(
  response: ServerResponse,
  reply: Extract<ModelWireReply, { type: 'error' }>,
  model: string,
): void {
  const named: Record<string, string> = {
    context_length_exceeded: 'error-context-length-exceeded.json',
    model_not_found: 'error-model-not-found.json',
    insufficient_quota: 'error-insufficient-quota.json',
  }
  const byStatus: Record<number, string> = {
    401: 'error-invalid-api-key.json',
    404: 'error-invalid-url.json',
    429: 'error-rate-limit-exceeded.json',
  }
  const fixture =
    (reply.errorType && named[reply.errorType]) ??
    byStatus[reply.status] ??
    (reply.status >= 500 ? 'error-server-error.json' : 'error-invalid-request.json')
  const body = jsonFixture(fixture)
  body.error.message = reply.message ?? body.error.message.replace('gpt-4o-typo', model)
  if (reply.errorType && !named[reply.errorType]) body.error.code = reply.errorType
  response.writeHead(reply.status, {
    'content-type': 'application/json',
    ...(reply.retryAfter === undefined ? {} : { 'retry-after': String(reply.retryAfter) }),
  })
  response.end(JSON.stringify(body))
}

type Answer = Extract<ModelWireReply, { type: 'answer' }>

function answerText(reply: Answer): string | null {
  if (reply.json !== undefined) return JSON.stringify(reply.json)
  return reply.text ?? (reply.toolCalls?.length ? null : '')
}

function usageOf(reply: Answer): Record<string, unknown> {
  const input = reply.usage?.inputTokens ?? 19
  const output = reply.usage?.outputTokens ?? 10
  const template = jsonFixture('chat-completion.json').usage
  return {
    ...template,
    prompt_tokens: input,
    completion_tokens: output,
    total_tokens: input + output,
    prompt_tokens_details: {
      ...template.prompt_tokens_details,
      cached_tokens: reply.usage?.cachedInputTokens ?? 0,
    },
  }
}

function finishReasonOf(reply: Answer): string {
  if (reply.finishReason) return finishReasons[reply.finishReason]
  return reply.toolCalls?.length ? 'tool_calls' : 'stop'
}

function completionOf(reply: Answer, id: string, model: string): unknown {
  const completion = jsonFixture('chat-completion.json')
  const toolCallTemplate = jsonFixture('chat-completion-tool-calls.json').choices[0].message
    .tool_calls[0]
  const choice = completion.choices[0]
  choice.message.content = answerText(reply)
  if (reply.toolCalls?.length) {
    choice.message.tool_calls = reply.toolCalls.map((call) => ({
      ...toolCallTemplate,
      id: call.id,
      function: { name: call.name, arguments: JSON.stringify(call.input) },
    }))
  }
  choice.finish_reason = finishReasonOf(reply)
  return { ...completion, id, model, usage: usageOf(reply) }
}

/** Splits text into pieces that join back to it, each starting at a word. */
function pieces(text: string): string[] {
  return text.split(/(?=\s)/).filter((piece) => piece.length > 0)
}

function sendStream(
  response: ServerResponse,
  reply: Answer,
  stream: { id: string; model: string; usage: boolean },
): void {
  const textChunks = chunkFixture('chat-completion-chunks.sse')
  const toolChunks = chunkFixture('chat-completion-tool-call-chunks.sse')
  const [roleChunk, contentChunk] = textChunks
  const finishChunk = textChunks.find((chunk) => chunk.choices[0]?.finish_reason)
  const usageChunk = textChunks.find((chunk) => chunk.choices.length === 0)
  const [firstToolChunk, argumentsChunk] = toolChunks
  const stamp = (chunk: any): any => {
    const { usage, ...rest } = chunk
    return {
      ...rest,
      id: stream.id,
      model: stream.model,
      ...(stream.usage ? { usage } : {}),
    }
  }
  const withDelta = (chunk: any, delta: unknown, finishReason: string | null = null): any =>
    stamp({
      ...chunk,
      choices: [{ ...chunk.choices[0], delta, finish_reason: finishReason }],
    })

  const events: unknown[] = [stamp(roleChunk)]
  const text = answerText(reply)
  for (const piece of pieces(text ?? '')) {
    events.push(withDelta(contentChunk, { content: piece }))
  }
  reply.toolCalls?.forEach((call, index) => {
    const template = firstToolChunk.choices[0].delta.tool_calls[0]
    events.push(
      withDelta(firstToolChunk, {
        ...(index === 0 ? firstToolChunk.choices[0].delta : {}),
        tool_calls: [
          { ...template, index, id: call.id, function: { name: call.name, arguments: '' } },
        ],
      }),
    )
    const input = JSON.stringify(call.input)
    const third = Math.ceil(input.length / 3)
    for (let start = 0; start < input.length; start += third) {
      events.push(
        withDelta(argumentsChunk, {
          tool_calls: [{ index, function: { arguments: input.slice(start, start + third) } }],
        }),
      )
    }
  })
  events.push(withDelta(finishChunk, {}, finishReasonOf(reply)))
  if (stream.usage) events.push({ ...stamp(usageChunk), usage: usageOf(reply) })

  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  for (const event of events) response.write(`data: ${JSON.stringify(event)}\n\n`)
  response.end('data: [DONE]\n\n')
}
