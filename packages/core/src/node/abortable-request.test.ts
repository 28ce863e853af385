import { describe, expect, it } from 'vitest'
import { AbortableRequest } from './abortable-request'

const bytes = () => new TextEncoder().encode('{"workflowId":"w","input":{"n":1}}')
const post = (body?: Uint8Array) =>
  new AbortableRequest(
    'http://localhost/runs',
    { method: 'POST', headers: { 'content-type': 'application/json' } },
    body,
  )

describe('AbortableRequest', () => {
  it('answers text(), json() and arrayBuffer() from the bytes read, once, as Fetch does', async () => {
    const request = post(bytes())
    expect(request.bodyUsed).toBe(false)
    expect(await request.json()).toEqual({ workflowId: 'w', input: { n: 1 } })
    expect(request.bodyUsed).toBe(true)
    await expect(request.text()).rejects.toThrow(TypeError)
    expect(new TextDecoder().decode(await post(bytes()).arrayBuffer())).toContain('"n":1')
    await expect(post(new TextEncoder().encode('{oops')).json()).rejects.toThrow(SyntaxError)
  })

  it('gives the bytes as a standard body to body, clone(), blob() and formData()', async () => {
    const request = post(bytes())
    expect(await new Response(request.body).text()).toBe('{"workflowId":"w","input":{"n":1}}')
    expect(request.bodyUsed).toBe(true)
    await expect(request.text()).rejects.toThrow(TypeError)
    const cloned = post(bytes()).clone()
    expect(cloned).toBeInstanceOf(Request)
    expect(await cloned.json()).toEqual({ workflowId: 'w', input: { n: 1 } })
    expect((await post(bytes()).blob()).size).toBe(34)
    const form = new AbortableRequest(
      'http://localhost/form',
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      new TextEncoder().encode('a=1&b=2'),
    )
    expect((await form.formData()).get('b')).toBe('2')
  })

  it('behaves as a plain Request without bytes', async () => {
    const request = new AbortableRequest('http://localhost/x', { method: 'POST', body: 'plain' })
    expect(await request.clone().text()).toBe('plain')
    expect(await request.text()).toBe('plain')
    expect(request.bodyUsed).toBe(true)
  })

  it('makes the signal on first read, aborted if the request was aborted before', () => {
    const early = post()
    early.abortRequest(new Error('gone'))
    expect(early.signal.aborted).toBe(true)
    expect((early.signal.reason as Error).message).toBe('gone')
    const late = post()
    const signal = late.signal
    expect(signal.aborted).toBe(false)
    late.abortRequest(new Error('left'))
    late.abortRequest(new Error('ignored'))
    expect(signal.aborted).toBe(true)
    expect((signal.reason as Error).message).toBe('left')
    expect(late.signal).toBe(signal)
  })
})
