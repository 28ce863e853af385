import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { noopLogger } from '@tessera/core'
import { connectorFailure } from '../../test/action-kit'
import { startFakeTeams, type FakeTeams } from '../../test/fakes/teams-server'
import { teamsConnector, teamsGraphConnector } from './create-teams-connector'
import { guidFor } from './teams-graph-request'
import { freePort } from '../../test/free-port'

const graphToken = 'graph-token-31c9'
const teamId = 'fbe2bf47-16c8-47cf-b4a5-4b9b187c508b'
let teams: FakeTeams

beforeAll(async () => (teams = await startFakeTeams({ token: graphToken, teamId })))
afterAll(() => teams.close())

const context = (signal = new AbortController().signal) => ({
  signal,
  idempotencyKey: 'run-1:notify',
  logger: noopLogger,
})

function post(webhookUrl: string, input: unknown, signal?: AbortSignal) {
  const action = teamsConnector.actions['send-message']
  return action.run({
    config: { webhookUrl },
    input: action.input.parse(input),
    ...context(signal),
  })
}

function graph<K extends keyof typeof teamsGraphConnector.actions>(
  name: K,
  input: unknown,
  token = graphToken,
) {
  const action = teamsGraphConnector.actions[name]
  return action.run({
    config: { token, baseUrl: `${teams.url}/v1.0` },
    input: action.input.parse(input) as never,
    ...context(),
  }) as Promise<Awaited<ReturnType<(typeof teamsGraphConnector.actions)[K]['run']>>>
}

describe('Teams webhook connector', () => {
  it('posts an Adaptive Card to an incoming webhook ("1") with the idempotency key', async () => {
    expect(
      await post(`${teams.url}/webhook/ok`, { title: 'Deploy', text: 'v1.4.2 is live' }),
    ).toEqual({
      status: 200,
    })
    const request = teams.requests.at(-1)!
    expect(request.headers['idempotency-key']).toBe('run-1:notify')
    expect(request.body).toEqual({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              { type: 'TextBlock', text: 'Deploy', weight: 'Bolder', size: 'Medium', wrap: true },
              { type: 'TextBlock', text: 'v1.4.2 is live', wrap: true },
            ],
          },
        },
      ],
    })
  })

  it('posts a given card to a Workflows webhook (202)', async () => {
    const card = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'Hi' }] }
    const url = `${teams.url}/workflows/abc123/triggers/manual/paths/invoke?api-version=1&sig=valid-signature`
    expect(await post(url, { card })).toEqual({ status: 202 })
    expect(
      (teams.requests.at(-1)!.body as { attachments: { content: unknown }[] }).attachments[0]!
        .content,
    ).toEqual(card)
  })

  it('reads a throttled incoming webhook (200 with an error text) as rate-limited', async () => {
    const error = await connectorFailure(post(`${teams.url}/webhook/throttled`, { text: 'x' }))
    expect(error).toMatchObject({ reason: 'rate-limited', status: 429, retryable: true })
  })

  it('maps 429 with Retry-After, 401 and 410, never quoting the webhook URL', async () => {
    const throttled = `${teams.url}/workflows/throttled/triggers/manual/paths/invoke?sig=valid-signature`
    expect(await connectorFailure(post(throttled, { text: 'x' }))).toMatchObject({
      reason: 'rate-limited',
      status: 429,
      retryAfterMs: 5000,
    })
    const badSignature = `${teams.url}/workflows/abc/triggers/manual/paths/invoke?sig=stolen-sig-1`
    const unauthorized = await connectorFailure(post(badSignature, { text: 'x' }))
    expect(unauthorized).toMatchObject({ reason: 'unauthorized', status: 401 })
    expect(unauthorized.message).not.toContain('stolen-sig-1')
    const gone = await connectorFailure(post(`${teams.url}/webhook/gone`, { text: 'x' }))
    expect(gone).toMatchObject({ reason: 'not-found', status: 410 })
    expect(gone.message).not.toContain('/webhook/gone')
  })

  it('aborts a pending post, and maps an unreachable host to network', async () => {
    const controller = new AbortController()
    const closed = teams.hangingClosed()
    const before = teams.requests.length
    const pending = post(`${teams.url}/webhook/hang`, { text: 'x' }, controller.signal)
    await expect.poll(() => teams.requests.length).toBe(before + 1)
    controller.abort()
    expect((await connectorFailure(pending)).reason).toBe('aborted')
    await closed
    const port = await freePort()
    expect(
      await connectorFailure(post(`http://127.0.0.1:${port}/webhook/ok`, { text: 'x' })),
    ).toMatchObject({
      reason: 'network',
    })
  })

  it('takes the webhook URL only as a secret reference, and needs text or a card', () => {
    expect(
      teamsConnector.config.safeParse({ webhookUrl: 'https://x.webhook.office.com/a' }).success,
    ).toBe(false)
    expect(
      teamsConnector.config.safeParse({ webhookUrl: { $secret: 'TEAMS_WEBHOOK' } }).success,
    ).toBe(true)
    expect(teamsConnector.actions['send-message'].input.safeParse({ title: 'only' }).success).toBe(
      false,
    )
  })
})

describe('Teams Graph connector', () => {
  it('sends a channel message and a reply, with client-request-id from the idempotency key', async () => {
    const channelId = '19:channel1@thread.tacv2'
    const message = await graph('send-channel-message', {
      teamId,
      channelId,
      content: 'Version <b>1.4.2</b> is live',
      subject: 'Deploy',
    })
    expect(message).toEqual({
      id: expect.any(String),
      createdDateTime: expect.any(String),
      webUrl: expect.stringContaining('https://teams.microsoft.com/l/message/'),
    })
    const request = teams.requests.at(-1)!
    expect(request.path).toBe(
      `/v1.0/teams/${teamId}/channels/${encodeURIComponent(channelId)}/messages`,
    )
    expect(request.headers.authorization).toBe(`Bearer ${graphToken}`)
    expect(request.headers['client-request-id']).toBe(await guidFor('run-1:notify'))
    expect(request.headers['client-request-id']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    )
    expect(request.body).toEqual({
      body: { contentType: 'html', content: 'Version <b>1.4.2</b> is live' },
      subject: 'Deploy',
    })
    await graph('send-channel-message', {
      teamId,
      channelId,
      content: 'thanks',
      contentType: 'text',
      replyToId: message.id,
    })
    expect(teams.requests.at(-1)!.path).toMatch(/\/messages\/\d+\/replies$/)
  })

  it('lists channels across @odata.nextLink pages', async () => {
    const before = teams.requests.length
    const { channels } = await graph('list-channels', { teamId })
    expect(channels.map((channel) => channel.displayName)).toEqual([
      'General',
      'Channel 2',
      'Channel 3',
      'Channel 4',
      'Channel 5',
    ])
    expect(channels[4]).toMatchObject({ membershipType: 'private' })
    expect(teams.requests.length - before).toBe(3)
    expect((await graph('list-channels', { teamId, limit: 3 })).channels).toHaveLength(3)
  })

  it('maps Graph errors: 401 unauthorized, 404 not-found, 429 rate-limited with Retry-After', async () => {
    const wrong = 'graph-wrong-token'
    const unauthorized = await connectorFailure(graph('list-channels', { teamId }, wrong))
    expect(unauthorized).toMatchObject({ reason: 'unauthorized', status: 401 })
    expect(unauthorized.message).toContain('InvalidAuthenticationToken')
    expect(JSON.stringify(unauthorized.toJSON())).not.toContain(wrong)
    expect(await connectorFailure(graph('list-channels', { teamId: 'other-team' }))).toMatchObject({
      reason: 'not-found',
      status: 404,
    })
    expect(
      await connectorFailure(
        graph('send-channel-message', {
          teamId,
          channelId: '19:channel2@thread.tacv2',
          content: 'THROTTLE',
        }),
      ),
    ).toMatchObject({ reason: 'rate-limited', status: 429, retryAfterMs: 9000 })
  })
})
