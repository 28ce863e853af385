import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  createEngine,
  createMemoryStore,
  createStep,
  createWorkflow,
  NonRetryableError,
  type StoreV1,
} from '../index'
import { admin, createHttpKit, reviewWorkflow, type HttpKit } from '../../test/http-kit'
import { createHttpHandler } from './create-http-handler'
import { parseRunStreamCursor, unseenRunStreamEvents, type RunStreamEvent } from './run-stream'

interface SseMessage {
  id?: string
  event?: string
  data?: string
  comment?: string
}

/** Reads server-sent messages until `until` says stop or the stream ends. */
async function readEvents(
  response: Response,
  until: (messages: SseMessage[]) => boolean = () => false,
) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  const messages: SseMessage[] = []
  let buffer = ''
  let ended = false
  const deadline = setTimeout(() => void reader.cancel(), 5000)
  try {
    while (!until(messages)) {
      const { value, done } = await reader.read()
      if (done) {
        ended = true
        break
      }
      buffer += value
      let cut: number
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut)
        buffer = buffer.slice(cut + 2)
        const message: SseMessage = {}
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) message.comment = line.slice(1).trim()
          const [field, ...rest] = line.split(': ')
          const value = rest.join(': ')
          if (field === 'id' || field === 'event' || field === 'data') message[field] = value
        }
        messages.push(message)
      }
    }
  } finally {
    clearTimeout(deadline)
    if (!ended) await reader.cancel().catch(() => {})
  }
  return { messages, ended, numbered: messages.filter((message) => message.id !== undefined) }
}

const kits: HttpKit[] = []
const kit = (options: Parameters<typeof createHttpKit>[0] = {}) => {
  const made = createHttpKit(options)
  kits.push(made)
  return made
}
afterEach(async () => {
  await Promise.all(kits.splice(0).map((made) => made.close()))
})

describe('GET /runs/{runId}/stream (Server-Sent Events)', () => {
  it('a finished run: run-start, one step-end per step, run-end, numbered 1, 2, 3; then the stream ends', async () => {
    const k = kit()
    const runId = await k.run('greet')
    const response = await k.call('GET', `/runs/${runId}/stream`)
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform')
    const { numbered, messages, ended } = await readEvents(response)
    expect(ended).toBe(true)
    expect(numbered.map((message) => [message.id, message.event])).toEqual([
      ['1', 'run-start'],
      ['2', 'step-end'],
      ['3', 'run-end'],
    ])
    expect(JSON.parse(numbered[2]!.data!)).toMatchObject({
      runId,
      status: 'succeeded',
      output: { greeting: 'Hello Ann' },
    })
    expect(
      messages
        .filter((message) => message.event === 'status')
        .map((message) => JSON.parse(message.data!)),
    ).toEqual([{ status: 'succeeded', waiting: [] }])
  })

  it('Last-Event-ID resumes after that event: nothing twice, nothing skipped', async () => {
    const k = kit()
    const runId = await k.run('greet')
    const all = (await readEvents(await k.call('GET', `/runs/${runId}/stream`))).numbered
    for (let last = 0; last <= all.length; last++) {
      const resumed = await readEvents(
        await k.call('GET', `/runs/${runId}/stream`, {
          headers: { 'last-event-id': String(last) },
        }),
      )
      expect(resumed.numbered).toEqual(all.slice(last))
    }
  })

  it('live: a suspended run streams its status, then the approval, the step and the end as they happen', async () => {
    const k = kit()
    const runId = await k.run('review')
    const response = await k.call('GET', `/runs/${runId}/stream`)
    const reader = readEvents(response, (messages) =>
      messages.some((message) => message.event === 'run-end'),
    )
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(
      (
        await k.call('POST', `/runs/${runId}/approvals/manager/approve`, {
          body: { data: { limit: 1 } },
        })
      ).status,
    ).toBe(202)
    const { numbered, messages } = await reader
    expect(numbered.map((message) => message.event)).toEqual(['run-start', 'step-end', 'run-end'])
    expect(numbered.map((message) => Number(message.id))).toEqual([1, 2, 3])
    const statuses = messages
      .filter((message) => message.event === 'status')
      .map((message) => JSON.parse(message.data!))
    expect(statuses[0]).toEqual({
      status: 'suspended',
      waiting: [{ kind: 'approval', name: 'manager', key: 'manager' }],
    })
    expect(statuses.at(-1)).toEqual({ status: 'succeeded', waiting: [] })
  })

  it('a run executing in another engine (same store) streams by polling the store', async () => {
    const k = kit()
    const worker = createEngine({ store: k.engine.store, workflows: [reviewWorkflow] })
    kits.push({ close: () => worker.close() } as HttpKit)
    const run = await worker.start(reviewWorkflow, { orderId: 'B2' })
    await k.settled(run.id, 'suspended')
    const reader = readEvents(await k.call('GET', `/runs/${run.id}/stream`), (messages) =>
      messages.some((message) => message.event === 'run-end'),
    )
    await new Promise((resolve) => setTimeout(resolve, 30))
    await worker.approve(run.id, 'manager', { limit: 2 })
    const { numbered } = await reader
    expect(numbered.map((message) => `${message.id} ${message.event}`)).toEqual([
      '1 run-start',
      '2 step-end',
      '3 run-end',
    ])
  })

  it('sends a heartbeat comment while nothing happens, and stops when the client aborts', async () => {
    const k = kit({ stream: { heartbeat: 20, poll: 1000 } })
    const runId = await k.run('payment')
    const abort = new AbortController()
    const response = await k.handler(
      new Request(`http://tessera.test/runs/${runId}/stream`, {
        headers: { authorization: `Test ${admin}` },
        signal: abort.signal,
      }),
    )
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
    let text = ''
    while (!text.includes(': heartbeat')) text += (await reader.read()).value ?? ''
    abort.abort()
    let done = false
    for (let i = 0; i < 50 && !done; i++) done = (await reader.read()).done
    expect(done).toBe(true)
  })

  it('HEAD answers the headers without opening a stream (nothing keeps polling the store)', async () => {
    const store = createMemoryStore()
    let historyReads = 0
    const counting = Object.assign(Object.create(store) as StoreV1, {
      getRunHistory: (runId: string) => (historyReads++, store.getRunHistory(runId)),
    })
    const k = kit({ store: counting })
    const runId = await k.run('payment')
    const response = await k.call('HEAD', `/runs/${runId}/stream`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(historyReads).toBe(0)
  })

  it('masks run data for a viewer whose role may not see it', async () => {
    const { createAccessControl, defaultRoles } = await import('./security/access-control')
    const k = kit({
      access: createAccessControl({
        roles: defaultRoles,
        masks: [{ part: 'input', paths: ['name'], reveal: 'run:read-pii' }],
      }),
    })
    const runId = await k.run('greet')
    const { numbered } = await readEvents(
      await k.call('GET', `/runs/${runId}/stream`, { as: 'vi:viewer' }),
    )
    expect(JSON.parse(numbered[0]!.data!).input).toEqual({ name: '[masked]' })
  })

  it('ids stay unique across a retry: a failed run numbers its last events after the last stable id, and resuming from them gets the retried steps', async () => {
    let failuresLeft = 2
    const order = z.object({ orderId: z.string() })
    const step = (id: string, run: () => void = () => {}) =>
      createStep({
        id,
        input: order,
        output: order,
        retry: { attempts: 1 },
        run: ({ input }) => (run(), input),
      })
    const flaky = createWorkflow({ id: 'flaky', input: order })
      .then(step('prepare'))
      .then(
        step('charge', () => {
          if (failuresLeft-- > 0) throw new NonRetryableError('card declined')
        }),
      )
      .then(step('ship'))
      .commit()
    const engine = createEngine({ store: createMemoryStore(), workflows: [flaky] })
    kits.push({ close: () => engine.close() } as HttpKit)
    const handler = createHttpHandler(engine, { auth: 'none-insecure' })
    const stream = async (lastEventId?: string) =>
      readEvents(
        await handler(
          new Request(`http://tessera.test/runs/${run.id}/stream`, {
            headers: lastEventId === undefined ? {} : { 'last-event-id': lastEventId },
          }),
        ),
      )
    const summary = (messages: { id?: string; event?: string; data?: string }[]) =>
      messages.map((message) => {
        const data = JSON.parse(message.data!) as { key?: string; status?: string }
        return [message.event, data.key, data.status].filter(Boolean).join(' ')
      })

    const run = await engine.start(flaky, { orderId: 'A1' })
    await expect(run.result()).rejects.toThrow()
    const first = (await stream()).numbered
    expect(summary(first)).toEqual([
      'run-start',
      'step-end prepare succeeded',
      'step-end charge failed',
      'run-end failed',
    ])
    const [, , failedStep, failedEnd] = first.map((message) => message.id!)
    expect(first[0]!.id).toBe('1')
    expect(first[1]!.id).toBe('2')
    expect(failedStep).toMatch(/^2:\d+:1$/)
    expect(failedEnd).toBe(failedStep!.replace(/:1$/, ':2'))
    // Before the retry, resuming after the failed step gets the run-end, and only it.
    expect((await stream(failedStep)).numbered).toEqual(first.slice(3))

    await expect((await engine.retry(run.id)).result()).rejects.toThrow()
    const second = (await stream()).numbered
    expect(summary(second)).toEqual([
      'run-start',
      'step-end prepare succeeded',
      'step-end charge failed',
      'run-end failed',
    ])
    // The second failure is another event, with another id: a client that saw the first one
    // receives it, even though it sits where the first one was.
    expect(second[2]!.id).not.toBe(failedStep)
    expect((await stream(failedEnd)).numbered).toEqual(second.slice(2))
    expect((await stream(failedStep)).numbered).toEqual(second.slice(2))

    await (await engine.retry(run.id)).result()
    const last = (await stream()).numbered
    expect(summary(last)).toEqual([
      'run-start',
      'step-end prepare succeeded',
      'step-end charge succeeded',
      'step-end ship succeeded',
      'run-end succeeded',
    ])
    expect(last.map((message) => message.id)).toEqual(['1', '2', '3', '4', '5'])
    // Every id a client held, from either failure, resumes with exactly what came after the
    // last step it saw succeed.
    for (const held of [failedStep, failedEnd, second[2]!.id, second[3]!.id, '2']) {
      expect((await stream(held)).numbered).toEqual(last.slice(2))
    }
    expect((await stream('3')).numbered).toEqual(last.slice(3))
  })

  it('a Last-Event-ID that is no id of the stream is a 400 naming the header', async () => {
    const k = kit()
    const runId = await k.run('greet')
    for (const bad of ['-1', 'abc', '1.5', '01', '2:x:1', '2:5:0', '2:5']) {
      const response = await k.call('GET', `/runs/${runId}/stream`, {
        headers: { 'last-event-id': bad },
      })
      expect(response.status, bad).toBe(400)
      const problem = (await response.json()) as { errors: { path: string }[] }
      expect(problem.errors[0]!.path).toBe('headers.last-event-id')
    }
  })
})

describe('run stream cursors', () => {
  const events = (...ids: string[]): RunStreamEvent[] =>
    ids.map((id) => ({ id, event: 'step-end', data: null }))

  it('parses stable and provisional ids, and refuses anything else', () => {
    expect(parseRunStreamCursor(undefined)).toEqual({ after: 0 })
    expect(parseRunStreamCursor('')).toEqual({ after: 0 })
    expect(parseRunStreamCursor('12')).toEqual({ after: 12 })
    expect(parseRunStreamCursor('3:1764126005000:2')).toEqual({
      after: 3,
      id: '3:1764126005000:2',
    })
    for (const bad of ['x', '1e3', ' 1', '1 ', '3:1', '3::1', '99999999999999999']) {
      expect(parseRunStreamCursor(bad), bad).toBeUndefined()
    }
  })

  it('resumes after the held event, or after its stable base when the event is gone', () => {
    const list = events('1', '2', '2:50:1', '2:50:2')
    const ids = (cursor: Parameters<typeof unseenRunStreamEvents>[1]) =>
      unseenRunStreamEvents(list, cursor).map((event) => event.id)
    expect(ids({ after: 0 })).toEqual(['1', '2', '2:50:1', '2:50:2'])
    expect(ids({ after: 2 })).toEqual(['2:50:1', '2:50:2'])
    expect(ids({ after: 2, id: '2:50:1' })).toEqual(['2:50:2'])
    expect(ids({ after: 2, id: '2:50:2' })).toEqual([])
    // Another failure at the same place (another endedAt): all of it is new.
    expect(ids({ after: 2, id: '2:40:2' })).toEqual(['2:50:1', '2:50:2'])
    expect(ids({ after: 7 })).toEqual([])
  })
})
