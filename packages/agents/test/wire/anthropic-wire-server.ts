import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ModelWireReply, ModelWireRequest, ModelWireServer } from '@tessera/core/testing'
import { listenLocally } from './listen-locally'

// A local server speaking the Anthropic Messages API (POST /v1/messages, API version 2026-10-21),
// for tests through the official SDK. Every answer is cut from responses shaped like the API
// reference's (fixtures/anthropic/): a JSON message, a server-sent-event stream, the error bodies
// of each status, and the response headers (request id, rate limits).

const fixtureDirectory = new URL('./fixtures/anthropic/', import.meta.url)
const readFixture = (name: string) => readFileSync(new URL(name, fixtureDirectory), 'utf8')

type Json = Record<string, any>

const messageFixture: Json = JSON.parse(readFixture('message.json'))
const errorFixtures: Record<string, Json> = JSON.parse(readFixture('errors.json'))
const headerFixture: Record<string, string> = JSON.parse(readFixture('headers.json'))
const streamFixture = parseEvents(readFixture('stream.sse'))
const streamErrorFixture = parseEvents(readFixture('stream-error.sse'))

/** The events of a recorded stream, in order, with their parsed data. */
function parseEvents(text: string): { event: string; data: Json }[] {
  return text
    .split(/\n\n+/)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n')
      const event = lines.find((line) => line.startsWith('event: '))!.slice('event: '.length)
      const data = lines.find((line) => line.startsWith('data: '))!.slice('data: '.length)
      return { event, data: JSON.parse(data) as Json }
    })
}

/** The first recorded event of a kind (a content block's, when `blockType` is given), copied. */
function template(event: string, blockType?: string): Json {
  const found = streamFixture.find(
    (entry) =>
      entry.event === event &&
      (blockType === undefined ||
        entry.data.content_block?.type === blockType ||
        entry.data.delta?.type === blockType),
  )
  if (!found)
    throw new Error(`stream.sse has no "${event}" event${blockType ? ` for ${blockType}` : ''}`)
  return structuredClone(found.data)
}

const stopReasons: Record<string, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  'tool-calls': 'tool_use',
  'content-filter': 'refusal',
  other: 'pause_turn',
  error: 'end_turn',
}

/** Anthropic's error type for a status, as the API reference lists them. */
const errorTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'conflict_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
}

const messageId = () => `msg_01${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`
const requestId = () => `req_011${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`

type Answer = Extract<ModelWireReply, { type: 'answer' }>

/** The content blocks and stop reason of a scripted answer. */
function answerContent(reply: Answer, body: Json): { content: Json[]; stopReason: string } {
  const content: Json[] = []
  if (reply.text !== undefined) content.push({ type: 'text', text: reply.text, citations: null })
  let calledTool = false
  if (reply.json !== undefined) {
    // A forced tool call is how a caller asks Anthropic for structured output: the answer is
    // that tool's input (an object; any other value travels as { value }).
    const forced = body.tool_choice?.type === 'tool' ? (body.tool_choice.name as string) : undefined
    if (forced !== undefined) {
      const isObject =
        typeof reply.json === 'object' && reply.json !== null && !Array.isArray(reply.json)
      content.push(toolUse(toolUseId(), forced, isObject ? reply.json : { value: reply.json }))
      calledTool = true
    } else {
      content.push({ type: 'text', text: JSON.stringify(reply.json), citations: null })
    }
  }
  for (const call of reply.toolCalls ?? []) {
    content.push(toolUse(call.id, call.name, call.input))
    calledTool = true
  }
  const stopReason = reply.finishReason
    ? stopReasons[reply.finishReason]!
    : calledTool
      ? 'tool_use'
      : 'end_turn'
  return { content, stopReason }
}

const toolUseId = () => `toolu_01${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`
const toolUse = (id: string, name: string, input: unknown): Json => ({
  type: 'tool_use',
  id,
  name,
  input,
  caller: { type: 'direct' },
})

/** Anthropic's usage object for a scripted answer (cached tokens are not in `input_tokens`). */
function usageOf(reply: Answer, content: Json[]): Json {
  const cached = reply.usage?.cachedInputTokens ?? 0
  const outputEstimate = Math.max(1, Math.ceil(JSON.stringify(content).length / 4))
  return {
    ...structuredClone(messageFixture.usage),
    input_tokens: (reply.usage?.inputTokens ?? 25) - cached,
    output_tokens: reply.usage?.outputTokens ?? outputEstimate,
    cache_read_input_tokens: cached,
  }
}

/** Splits text into word-sized pieces, as the API streams it. */
const textPieces = (text: string): string[] => text.match(/\s*\S+\s*/g) ?? [text]

/** Splits serialised JSON into a few pieces at arbitrary places (the API cuts it anywhere). */
function jsonPieces(json: string): string[] {
  const pieces = ['']
  for (let start = 0; start < json.length; start += 12) pieces.push(json.slice(start, start + 12))
  return pieces
}

function renderMessage(reply: Answer, body: Json): Json {
  const { content, stopReason } = answerContent(reply, body)
  return {
    ...structuredClone(messageFixture),
    id: messageId(),
    model: body.model,
    content,
    stop_reason: stopReason,
    usage: usageOf(reply, content),
  }
}

function renderStream(reply: Answer, body: Json): { event: string; data: Json }[] {
  const { content, stopReason } = answerContent(reply, body)
  const usage = usageOf(reply, content)
  const events: { event: string; data: Json }[] = []
  const start = template('message_start')
  start.message = {
    ...start.message,
    id: messageId(),
    model: body.model,
    usage: { ...usage, output_tokens: 1 },
  }
  events.push({ event: 'message_start', data: start })
  content.forEach((block, index) => {
    const opening = template('content_block_start', block.type)
    opening.index = index
    opening.content_block =
      block.type === 'text'
        ? { ...opening.content_block, text: '' }
        : { ...opening.content_block, id: block.id, name: block.name, input: {} }
    events.push({ event: 'content_block_start', data: opening })
    if (index === 0) events.push({ event: 'ping', data: { type: 'ping' } })
    const pieces =
      block.type === 'text' ? textPieces(block.text) : jsonPieces(JSON.stringify(block.input))
    for (const piece of pieces) {
      const delta = template(
        'content_block_delta',
        block.type === 'text' ? 'text_delta' : 'input_json_delta',
      )
      delta.index = index
      delta.delta =
        block.type === 'text'
          ? { ...delta.delta, text: piece }
          : { ...delta.delta, partial_json: piece }
      events.push({ event: 'content_block_delta', data: delta })
    }
    const closing = template('content_block_stop')
    closing.index = index
    events.push({ event: 'content_block_stop', data: closing })
  })
  const delta = template('message_delta')
  delta.delta = { ...delta.delta, stop_reason: stopReason }
  delta.usage = {
    ...delta.usage,
    input_tokens: usage.input_tokens,
    output_tokens: usage.output_tokens,
    cache_read_input_tokens: usage.cache_read_input_tokens,
  }
  events.push({ event: 'message_delta', data: delta })
  events.push({ event: 'message_stop', data: template('message_stop') })
  return events
}

const serialiseEvents = (events: { event: string; data: Json }[]) =>
  events.map(({ event, data }) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join('')

/**
 * The error body of a scripted error, from the recorded body of its status. The vendor-neutral
 * `errorType`s become Anthropic's: `context_length_exceeded` its "prompt is too long" 400,
 * `model_not_found` its 404 `not_found_error` ("model: <id>"); an Anthropic error type
 * (`overloaded_error`, …) is sent as the error's `type`, and any other value as its cause code,
 * `error.details.error_code` (e.g. `enforced_spend_limit_reached` on a 429).
 */
function renderError(reply: Extract<ModelWireReply, { type: 'error' }>, body: Json): Json {
  const recorded =
    errorFixtures[`${reply.status} ${reply.errorType}`] ??
    errorFixtures[String(reply.status)] ??
    errorFixtures[reply.status >= 500 ? '500' : '400']!
  const rendered = structuredClone(recorded)
  rendered.request_id = requestId()
  if (
    reply.errorType === 'model_not_found' ||
    (reply.errorType === undefined && reply.status === 404)
  ) {
    rendered.error.type = 'not_found_error'
    rendered.error.message = `model: ${body.model}`
  } else if (reply.errorType?.endsWith('_error') || reply.errorType === 'request_too_large') {
    rendered.error.type = reply.errorType
  } else if (reply.errorType !== undefined && reply.errorType !== 'context_length_exceeded') {
    // Anything else is a cause code, sent as Anthropic sends those: `error.details.error_code`.
    rendered.error.type = errorTypes[reply.status] ?? rendered.error.type
    rendered.error.details = { error_code: reply.errorType }
  } else if (reply.errorType === undefined) {
    rendered.error.type = errorTypes[reply.status] ?? rendered.error.type
  }
  if (reply.message !== undefined) rendered.error.message = reply.message
  return rendered
}

/** A stream that starts, then fails with an `error` event (the API does so under load). */
interface StreamErrorReply {
  type: 'stream-error'
  errorType: string
  message: string
}

/** The Anthropic wire server: the vendor-neutral one, plus errors in the middle of a stream. */
export interface AnthropicWireServer extends ModelWireServer {
  /**
   * Scripts a streamed answer that fails after `message_start` with an SSE `error` event, as
   * recorded in `stream-error.sse` (default `overloaded_error`).
   */
  replyStreamError(errorType?: string, message?: string): void
}

/**
 * A local server speaking the Anthropic Messages API, for tests through `@anthropic-ai/sdk`:
 * give the SDK `baseURL: server.url`. Scripted replies are rendered as Anthropic JSON, or as
 * server-sent events when the request body has `stream: true`.
 *
 * @example
 * ```ts
 * const server = await createAnthropicWireServer()
 * server.reply({ type: 'answer', text: 'Hello' })
 * const client = new Anthropic({ baseURL: server.url, apiKey: 'test', maxRetries: 0 })
 * ```
 */
export async function createAnthropicWireServer(): Promise<AnthropicWireServer> {
  const replies: (ModelWireReply | StreamErrorReply)[] = []
  const requests: ModelWireRequest[] = []

  const send = (
    response: ServerResponse,
    status: number,
    json: Json,
    extra: Record<string, string> = {},
  ) => {
    const text = JSON.stringify(json)
    response.writeHead(status, {
      ...headerFixture,
      'request-id': requestId(),
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      ...extra,
    })
    response.end(text)
  }

  const handle = (request: IncomingMessage, response: ServerResponse, raw: string) => {
    let body: Json = {}
    try {
      body = raw === '' ? {} : JSON.parse(raw)
    } catch {
      send(
        response,
        400,
        renderError(
          {
            type: 'error',
            status: 400,
            message: 'There was an issue with the format of the request body: it is not JSON.',
          },
          body,
        ),
      )
      return
    }
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value
    }
    const path = (request.url ?? '/').split('?')[0]!
    requests.push({ method: request.method ?? 'GET', path, headers, body })

    if (request.method !== 'POST' || path !== '/v1/messages') {
      send(
        response,
        404,
        renderError(
          { type: 'error', status: 404, message: `Not found: ${request.method} ${path}` },
          body,
        ),
      )
      return
    }
    const reply = replies.shift()
    if (reply === undefined) {
      send(
        response,
        500,
        renderError(
          {
            type: 'error',
            status: 500,
            message: `The Anthropic wire server has no scripted reply for request ${requests.length}`,
          },
          body,
        ),
      )
      return
    }
    const streaming = body.stream === true
    switch (reply.type) {
      case 'hang':
        return // never answers; close() drops the connection
      case 'error':
        send(
          response,
          reply.status,
          renderError(reply, body),
          reply.retryAfter === undefined ? {} : { 'retry-after': String(reply.retryAfter) },
        )
        return
      case 'malformed':
        if (streaming) {
          // A stream cut off in the middle of an event, before message_stop.
          const [start] = renderStream({ type: 'answer', text: 'cut' }, body)
          response.writeHead(200, {
            ...headerFixture,
            'request-id': requestId(),
            'content-type': 'text/event-stream; charset=utf-8',
            'cache-control': 'no-cache',
          })
          response.end(
            serialiseEvents([start!]) +
              'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_blo',
          )
        } else {
          const text = JSON.stringify(renderMessage({ type: 'answer', text: 'cut' }, body)).slice(
            0,
            60,
          )
          response.writeHead(200, {
            ...headerFixture,
            'request-id': requestId(),
            'content-type': 'application/json',
          })
          response.end(text)
        }
        return
      case 'stream-error': {
        const [start, failure] = structuredClone(streamErrorFixture)
        start!.data.message = { ...start!.data.message, id: messageId(), model: body.model }
        failure!.data.error = { type: reply.errorType, message: reply.message }
        failure!.data.request_id = requestId()
        response.writeHead(200, {
          ...headerFixture,
          'request-id': requestId(),
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
        })
        response.end(serialiseEvents([start!, failure!]))
        return
      }
      case 'answer':
        if (streaming) {
          response.writeHead(200, {
            ...headerFixture,
            'request-id': requestId(),
            'content-type': 'text/event-stream; charset=utf-8',
            'cache-control': 'no-cache',
          })
          for (const event of renderStream(reply, body)) response.write(serialiseEvents([event]))
          response.end()
        } else {
          send(response, 200, renderMessage(reply, body))
        }
        return
    }
  }

  const local = await listenLocally((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => handle(request, response, Buffer.concat(chunks).toString('utf8')))
  })

  return {
    url: local.origin,
    reply: (...scripted) => void replies.push(...scripted),
    replyStreamError: (errorType = 'overloaded_error', message = 'Overloaded') =>
      void replies.push({ type: 'stream-error', errorType, message }),
    get requests() {
      return requests
    },
    reset() {
      replies.length = 0
      requests.length = 0
    },
    close: local.close,
  }
}
