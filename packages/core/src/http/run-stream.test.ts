import { afterEach, describe, expect, it } from 'vitest'
import { createEngine, createMemoryStore, type StoreV1 } from '../index'
import { admin, createHttpKit, reviewWorkflow, type HttpKit } from '../../test/http-kit'

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
})
