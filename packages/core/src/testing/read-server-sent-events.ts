/** One Server-Sent Event as {@link readServerSentEvents} parses it. */
export interface ServerSentEvent {
  /** The `id:` field, if the event had one. */
  id?: string
  /** The `event:` field; `message` when absent. */
  event: string
  /** The `data:` lines joined by newlines. */
  data: string
}

/**
 * Parses a `text/event-stream` body as it arrives: yields each event as soon as its blank line
 * is read (comment lines, such as heartbeats, and blocks without data are skipped). Stops when the stream ends; breaking
 * out of the loop cancels the body.
 *
 * @example
 * ```ts
 * const response = await fetch(`${url}/runs/${runId}/stream`, { headers })
 * for await (const event of readServerSentEvents(response.body!)) {
 *   if (event.event === 'run-end') break
 * }
 * ```
 */
export async function* readServerSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<ServerSentEvent, void, undefined> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n')
      let end = buffer.indexOf('\n\n')
      while (end !== -1) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const event = parseBlock(block)
        if (event) yield event
        end = buffer.indexOf('\n\n')
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined)
  }
}

function parseBlock(block: string): ServerSentEvent | undefined {
  let id: string | undefined
  let event = 'message'
  const data: string[] = []
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue
    const colon = line.indexOf(':')
    const name = colon === -1 ? line : line.slice(0, colon)
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (name === 'id') id = value
    else if (name === 'event') event = value
    else if (name === 'data') data.push(value)
  }
  // As EventSource does: a block without data (a `retry:` line, say) dispatches no event.
  if (data.length === 0) return undefined
  return { ...(id !== undefined ? { id } : {}), event, data: data.join('\n') }
}
