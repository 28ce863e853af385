import { NotFoundError } from '../errors/not-found-error'
import type { RunHistory } from '../ports/store-v1'
import type { Engine } from '../runtime/engine'
import type { EngineEventName } from '../runtime/events'
import type { AccessControl, Principal } from './types'
import { runView, stepView, waitingOf } from './run-view'

/**
 * One numbered event of a run's stream. `id` is opaque to clients: send the last one back as
 * `Last-Event-ID` to resume after it.
 *
 * @example
 * ```ts
 * const event: RunStreamEvent = { id: '1', event: 'run-start', data: { runId: 'r1' } }
 * ```
 */
export interface RunStreamEvent {
  id: string
  event: 'run-start' | 'step-end' | 'run-end'
  data: unknown
}

/**
 * Where a client is in a run's stream: after the stable event `after` (0: before the first), or
 * after the provisional event `id` (one of a failed run's last events; see
 * {@link runStreamEvents}).
 */
export interface RunStreamCursor {
  after: number
  id?: string
}

const terminal = new Set(['succeeded', 'failed', 'cancelled'])
const cursorPattern = /^(0|[1-9]\d{0,15})(?::(\d{1,16}):([1-9]\d{0,5}))?$/

/**
 * Reads a `Last-Event-ID` header: `undefined` or empty is the start of the stream; anything
 * that is not an id the stream sends gives `undefined`.
 *
 * @example
 * ```ts
 * parseRunStreamCursor('3') // { after: 3 }
 * parseRunStreamCursor('3:1764126005000:2') // { after: 3, id: '3:1764126005000:2' }
 * ```
 */
export function parseRunStreamCursor(header: string | undefined): RunStreamCursor | undefined {
  if (header === undefined || header === '') return { after: 0 }
  const match = cursorPattern.exec(header)
  if (!match) return undefined
  const after = Number(match[1])
  if (!Number.isSafeInteger(after)) return undefined
  return match[2] === undefined ? { after } : { after, id: header }
}

/**
 * The numbered events of a run, derived from its stored history so that every process derives
 * the same ids: `1` is `run-start`; then one `step-end` per step record in the store's commit
 * order (`2`, `3`, …); then, once the run has ended, `run-end`. Run data is masked for
 * `principal`.
 *
 * A failed run's failed step records and its `run-end` are provisional: `engine.retry` deletes
 * the failed records and the run goes on. They are numbered `<n>:<endedAt>:<k>` (after stable
 * event `n`, the `k`-th provisional event of the failure that ended the run at `endedAt`), so
 * the steps of the retried run take the stable numbers `n + 1`, … and never reuse an id a
 * client has seen.
 *
 * @example
 * ```ts
 * const history = await engine.store.getRunHistory(runId)
 * const events = runStreamEvents(history!, { access, principal })
 * events.at(-1)?.event // 'run-end' when the run is over
 * ```
 */
export function runStreamEvents(
  history: RunHistory,
  viewer: { access: AccessControl; principal: Principal },
): RunStreamEvent[] {
  const { run } = history
  let stable = 1
  let provisional = 0
  const failure = String(run.endedAt ?? run.updatedAt)
  const nextId = (isProvisional: boolean) =>
    isProvisional ? `${stable}:${failure}:${++provisional}` : String(++stable)
  const events: RunStreamEvent[] = [
    {
      id: '1',
      event: 'run-start',
      data: {
        runId: run.id,
        workflowId: run.workflowId,
        workflowVersion: run.workflowVersion,
        input: viewer.access.mask(viewer.principal, run.input, {
          workflowId: run.workflowId,
          part: 'input',
        }),
        at: run.createdAt,
      },
    },
  ]
  for (const step of history.steps) {
    events.push({
      id: nextId(step.status === 'failed'),
      event: 'step-end',
      data: { runId: run.id, ...stepView(step, run.workflowId, viewer) },
    })
  }
  if (terminal.has(run.status)) {
    const view = runView(run, viewer)
    events.push({
      id: nextId(run.status === 'failed'),
      event: 'run-end',
      data: {
        runId: run.id,
        status: run.status,
        ...(view.output !== undefined ? { output: view.output } : {}),
        ...(view.error !== undefined ? { error: view.error } : {}),
        at: run.endedAt ?? run.updatedAt,
      },
    })
  }
  return events
}

/**
 * The events a client at `cursor` has not seen: those after its event when the stream still
 * has it; otherwise (a retry removed the provisional event it saw, or it never existed) those
 * after stable event `cursor.after`.
 *
 * @example
 * ```ts
 * unseenRunStreamEvents(events, { after: 2 }).map((event) => event.id) // ['3', '4']
 * ```
 */
export function unseenRunStreamEvents(
  events: RunStreamEvent[],
  cursor: RunStreamCursor,
): RunStreamEvent[] {
  if (cursor.id !== undefined) {
    const at = events.findIndex((event) => event.id === cursor.id)
    if (at >= 0) return events.slice(at + 1)
  }
  return events.filter((event) => {
    const { after, id } = parseRunStreamCursor(event.id)!
    return after > cursor.after || (after === cursor.after && id !== undefined)
  })
}

const liveEvents: EngineEventName[] = [
  'run-start',
  'step-end',
  'step-suspend',
  'step-retry',
  'run-end',
]

/**
 * `GET /runs/{runId}/stream`: a `text/event-stream` response. Numbered events (see
 * {@link runStreamEvents}) are sent once each, after `lastEventId`; a `status` event without an
 * id tells the current status and waits whenever they change (it is a snapshot, sent again on
 * reconnect). The store is read when this process's engine reports an event of the run and
 * every `pollMs` (for runs executing elsewhere). A comment line goes out every `heartbeatMs`.
 * The stream ends after `run-end`, or when `signal` aborts.
 */
export async function runStreamResponse(options: {
  engine: Engine
  runId: string
  lastEventId: RunStreamCursor
  access: AccessControl
  principal: Principal
  heartbeatMs: number
  pollMs: number
  signal: AbortSignal
  headers?: Record<string, string>
}): Promise<Response> {
  const { engine, runId, signal } = options
  const first = await engine.store.getRunHistory(runId)
  if (!first) throw new NotFoundError({ kind: 'run', id: runId })
  const viewer = { access: options.access, principal: options.principal }
  const encoder = new TextEncoder()
  let sent = options.lastEventId
  let lastStatus = ''
  let closed = false
  let pumping: Promise<void> | undefined
  let again = false
  const timers: ReturnType<typeof setInterval>[] = []
  let controller!: ReadableStreamDefaultController<Uint8Array>

  const write = (text: string) => {
    if (!closed) controller.enqueue(encoder.encode(text))
  }
  const listener = (event: { runId: string }) => {
    if (event.runId === runId) schedule()
  }
  const close = () => {
    if (closed) return
    closed = true
    for (const timer of timers) clearInterval(timer)
    for (const name of liveEvents) engine.off(name, listener)
    signal.removeEventListener('abort', close)
    try {
      controller.close()
    } catch {
      // Already closed or errored by the consumer.
    }
  }
  const emit = (history: RunHistory) => {
    const status = JSON.stringify({ status: history.run.status, waiting: waitingOf(history) })
    if (status !== lastStatus) {
      lastStatus = status
      write(`event: status\ndata: ${status}\n\n`)
    }
    for (const event of unseenRunStreamEvents(runStreamEvents(history, viewer), sent)) {
      write(`id: ${event.id}\nevent: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`)
      sent = parseRunStreamCursor(event.id)!
    }
    if (terminal.has(history.run.status)) close()
  }
  const pump = async () => {
    do {
      again = false
      const history = await engine.store.getRunHistory(runId)
      if (closed) return
      if (!history) {
        write(
          `event: error\ndata: ${JSON.stringify({ code: 'not_found', detail: `Run "${runId}" was deleted` })}\n\n`,
        )
        close()
        return
      }
      emit(history)
    } while (again && !closed)
  }
  function schedule() {
    if (closed) return
    if (pumping) {
      again = true
      return
    }
    pumping = pump()
      .catch(() => {
        // A store hiccup: the next poll tries again.
      })
      .finally(() => {
        pumping = undefined
      })
  }

  const stream = new ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController
      if (signal.aborted) {
        close()
        return
      }
      signal.addEventListener('abort', close)
      for (const name of liveEvents) engine.on(name, listener)
      write(`retry: 2000\n\n`)
      emit(first)
      if (closed) return
      // The history was read before the listeners were added: read it once more.
      schedule()
      timers.push(setInterval(schedule, options.pollMs))
      timers.push(setInterval(() => write(`: heartbeat\n\n`), options.heartbeatMs))
    },
    cancel() {
      close()
    },
  })
  return new Response(stream, {
    status: 200,
    headers: {
      ...options.headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    },
  })
}
