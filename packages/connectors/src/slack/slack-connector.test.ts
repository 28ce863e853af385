import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { noopLogger } from '@tessera/core'
import { actionRunner, connectorFailure } from '../../test/action-kit'
import { startFakeSlack, type FakeSlack } from '../../test/fakes/slack-server'
import { createSlackConnector, slackConnector } from './create-slack-connector'
import { freePort } from '../../test/free-port'

const token = 'xoxb-1111-test-token'
let slack: FakeSlack
let config: { token: string; baseUrl: string }

beforeAll(async () => {
  slack = await startFakeSlack({ tokens: [token], channelCount: 250 })
  config = { token, baseUrl: slack.url }
})
afterAll(() => slack.close())

/** A channel as list-channels returns it. */
type Channel = { id: string; isPrivate: boolean; isArchived: boolean }
const run = actionRunner(
  slackConnector,
  () => config,
  () => 'run-1:notify',
)

describe('Slack connector: config', () => {
  it('takes the token only as a secret reference', () => {
    expect(slackConnector.config.safeParse({ token: { $secret: 'SLACK_BOT_TOKEN' } }).success).toBe(
      true,
    )
    const inline = slackConnector.config.safeParse({ token: 'xoxb-inline' })
    expect(inline.success).toBe(false)
    expect(JSON.stringify(inline.error?.issues)).toContain('not the credential itself')
    expect(
      slackConnector.config.safeParse({ token: { $secret: 'T' }, baseUrl: 'ftp://x', extra: 1 })
        .success,
    ).toBe(false)
  })
})

describe('Slack connector: send-message', () => {
  it('posts through chat.postMessage with the bearer token and the idempotency key in metadata', async () => {
    const output = await run('send-message', { channel: '#general', text: 'Deploy finished' })
    expect(output).toEqual({ channel: 'C0001', ts: expect.stringMatching(/^\d+\.\d+$/) })
    const request = slack.requests.at(-1)!
    expect(request.method).toBe('chat.postMessage')
    expect(request.headers.authorization).toBe(`Bearer ${token}`)
    expect(request.args).toMatchObject({ channel: '#general', text: 'Deploy finished' })
    expect(slack.messages.at(-1)).toMatchObject({
      channel: 'C0001',
      ts: output.ts,
      metadata: { event_type: 'tessera_step', event_payload: { idempotencyKey: 'run-1:notify' } },
    })
  })

  it('sends blocks in a thread', async () => {
    const parent = await run('send-message', { channel: 'C0002', text: 'Order 42' })
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*shipped*' } }]
    const reply = await run('send-message', {
      channel: 'C0002',
      thread_ts: parent.ts,
      text: 'shipped',
      blocks,
    })
    expect(slack.messages.at(-1)).toMatchObject({ ts: reply.ts, thread_ts: parent.ts, blocks })
  })

  it('refuses a message without text or blocks before calling Slack', () => {
    const parsed = slackConnector.actions['send-message'].input.safeParse({ channel: 'C0001' })
    expect(parsed.success).toBe(false)
  })

  it('maps channel_not_found to not-found', async () => {
    const error = await connectorFailure(run('send-message', { channel: 'C9999', text: 'x' }))
    expect(error).toMatchObject({
      reason: 'not-found',
      status: 'channel_not_found',
      retryable: false,
    })
    expect(error.message).toContain('channel_not_found')
  })

  it('maps a rejected token to unauthorized without putting the token in the message', async () => {
    const wrong = 'xoxb-9999-wrong-token'
    const error = await connectorFailure(
      run('send-message', { channel: 'C0001', text: 'x' }, { config: { ...config, token: wrong } }),
    )
    expect(error).toMatchObject({ reason: 'unauthorized', status: 'invalid_auth' })
    expect(JSON.stringify(error.toJSON())).not.toContain(wrong)
    expect(error.message).not.toContain(wrong)
  })

  it('maps HTTP 429 to rate-limited with Retry-After, and the SDK does not retry by itself', async () => {
    const before = slack.requests.length
    slack.rateLimitNext(7)
    const error = await connectorFailure(run('send-message', { channel: 'C0001', text: 'x' }))
    expect(error).toMatchObject({ reason: 'rate-limited', retryAfterMs: 7000, retryable: true })
    expect(slack.requests.length - before).toBe(1)
  })

  it('maps HTTP 503 to a retryable remote error', async () => {
    slack.failNext(503)
    const error = await connectorFailure(run('send-message', { channel: 'C0001', text: 'x' }))
    expect(error).toMatchObject({ reason: 'remote', status: 503, retryable: true })
  })

  it('aborts a pending call: the HTTP request is closed', async () => {
    const controller = new AbortController()
    const pending = run(
      'send-message',
      { channel: 'C_HANG', text: 'x' },
      { signal: controller.signal },
    )
    const closed = slack.hangingClosed()
    await expect.poll(() => slack.requests.at(-1)?.args.channel).toBe('C_HANG')
    controller.abort(new Error('run cancelled'))
    const error = await connectorFailure(pending)
    expect(error.reason).toBe('aborted')
    await closed
  })

  it('maps an unreachable host to network', async () => {
    const port = await freePort()
    const error = await connectorFailure(
      run(
        'send-message',
        { channel: 'C0001', text: 'x' },
        { config: { token, baseUrl: `http://127.0.0.1:${port}/api/` } },
      ),
    )
    expect(error).toMatchObject({ reason: 'network', retryable: true })
  })
})

describe('Slack connector: other actions', () => {
  it('updates a message, and reports a missing one as not-found', async () => {
    const posted = await run('send-message', { channel: 'C0003', text: 'Deploying' })
    const updated = await run('update-message', {
      channel: 'C0003',
      ts: posted.ts,
      text: 'Deployed',
    })
    expect(updated).toEqual({ channel: 'C0003', ts: posted.ts })
    expect(slack.messages.find((m) => m.ts === posted.ts)?.text).toBe('Deployed')
    const error = await connectorFailure(
      run('update-message', { channel: 'C0003', ts: '1.000001', text: 'x' }),
    )
    expect(error).toMatchObject({ reason: 'not-found', status: 'message_not_found' })
  })

  it('adds a reaction once; a retried step finds it there', async () => {
    const posted = await run('send-message', { channel: 'C0003', text: 'Approve?' })
    const input = { channel: 'C0003', ts: posted.ts, name: 'white_check_mark' }
    expect(await run('add-reaction', input)).toEqual({ alreadyReacted: false })
    expect(await run('add-reaction', input)).toEqual({ alreadyReacted: true })
    expect(slack.requests.at(-1)?.args).toMatchObject({
      timestamp: posted.ts,
      name: 'white_check_mark',
    })
  })

  it('lists channels across cursor pages up to the limit, and resumes from nextCursor', async () => {
    const before = slack.requests.length
    const first = await run('list-channels', { limit: 230 })
    expect(first.channels).toHaveLength(230)
    expect(first.channels[0]).toEqual({
      id: 'C0001',
      name: 'general',
      isPrivate: false,
      isArchived: false,
      numMembers: 1,
    })
    expect(first.nextCursor).toEqual(expect.any(String))
    const pages = slack.requests.slice(before)
    expect(pages.map((request) => [request.method, request.args.limit])).toEqual([
      ['conversations.list', '200'],
      ['conversations.list', '30'],
    ])
    const rest = await run('list-channels', { cursor: first.nextCursor })
    expect(rest.channels.map((channel: Channel) => channel.id)).toEqual(
      Array.from({ length: 20 }, (_, index) => `C${String(231 + index).padStart(4, '0')}`),
    )
    expect(rest.nextCursor).toBeUndefined()
    const all = await run('list-channels', {
      types: ['public_channel', 'private_channel'],
      excludeArchived: false,
    })
    expect(all.channels).toHaveLength(252)
    expect(
      all.channels
        .filter((channel: Channel) => channel.isPrivate || channel.isArchived)
        .map((c: Channel) => c.id),
    ).toEqual(['CARCHIVED', 'GPRIVATE1'])
  })

  it('maps a bad cursor to invalid-request', async () => {
    const error = await connectorFailure(run('list-channels', { cursor: 'bm9wZQ==' }))
    expect(error).toMatchObject({
      reason: 'invalid-request',
      status: 'invalid_cursor',
      retryable: false,
    })
  })
})

describe('Slack connector: check', () => {
  it('calls auth.test: passes with a good token, unauthorized with a bad one', async () => {
    const connector = createSlackConnector({ id: 'slack-ops' })
    const context = { signal: new AbortController().signal, logger: noopLogger }
    await connector.check!({ config, ...context })
    expect(slack.requests.at(-1)?.method).toBe('auth.test')
    const error = await connectorFailure(
      connector.check!({ config: { ...config, token: 'xoxb-nope' }, ...context }),
    )
    expect(error).toMatchObject({ connector: 'slack-ops', action: 'check', reason: 'unauthorized' })
  })
})
