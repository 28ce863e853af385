import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  ConnectorError,
  createEngine,
  createWorkflow,
  type Logger,
  type SecretsProviderV1,
} from '@tessera/core'
import { abortHeldCall } from '../../test/fakes/json-server'
import {
  hubspotErrorReply,
  startFakeHubSpot,
  type FakeHubSpot,
} from '../../test/fakes/hubspot-server'
import { actionRunner } from '../../test/action-kit'
import { createHubSpotConnector } from './create-hubspot-connector'

// The HubSpot connector through the real @hubspot/api-client against a local server that speaks
// HubSpot's CRM API v3.

const logger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger
const token = 'pat-na1-test-token'
const connector = createHubSpotConnector()
let hubspot: FakeHubSpot
let config: { accessToken: string; basePath: string }

beforeAll(async () => {
  hubspot = await startFakeHubSpot({ token })
  config = { accessToken: token, basePath: hubspot.url }
})
afterAll(async () => {
  await connector.close()
  await hubspot.close()
})

const run = actionRunner(
  connector,
  () => config,
  () => 'key-1',
)

describe('HubSpot connector', () => {
  it('config takes the token only as a secret reference', () => {
    expect(connector.config.safeParse({ accessToken: 'pat-inline' }).success).toBe(false)
    expect(connector.config.safeParse({ accessToken: { $secret: 'HUBSPOT_TOKEN' } }).success).toBe(
      true,
    )
  })

  it('creates a contact; ifExists "update" turns the 409 into an update', async () => {
    const created = await run('create-contact', {
      properties: { email: 'ada@example.com', firstname: 'Ada', score: 7 },
    })
    expect(created).toMatchObject({
      created: true,
      properties: { email: 'ada@example.com', firstname: 'Ada', score: '7' },
      createdAt: '2026-01-01T00:00:00.000Z',
    })
    expect(hubspot.requests.at(-1)!.headers.authorization).toBe(`Bearer ${token}`)
    const conflict = await run('create-contact', {
      properties: { email: 'ada@example.com' },
    }).catch((error: unknown) => error as ConnectorError)
    expect(conflict).toMatchObject({ reason: 'invalid-request', status: 409 })
    expect(conflict.message).toContain('category CONFLICT')
    expect(conflict.message).toMatch(/correlationId corr-\d+/)
    const again = await run('create-contact', {
      properties: { email: 'ada@example.com', lastname: 'Lovelace' },
      ifExists: 'update',
    })
    expect(again).toMatchObject({ created: false, id: created.id })
    expect(hubspot.contacts).toHaveLength(1)
    expect(hubspot.contacts[0]!.properties.lastname).toBe('Lovelace')
  })

  it('updates a contact by id and by email; an unknown one is not-found', async () => {
    const id = hubspot.contacts[0]!.id
    expect(
      await run('update-contact', { contactId: id, properties: { city: 'London' } }),
    ).toMatchObject({
      id,
      properties: { city: 'London' },
    })
    await run('update-contact', {
      contactId: 'ada@example.com',
      idProperty: 'email',
      properties: { lifecyclestage: 'customer' },
    })
    expect(hubspot.contacts[0]!.properties.lifecyclestage).toBe('customer')
    await expect(
      run('update-contact', { contactId: '999999', properties: { city: 'x' } }),
    ).rejects.toMatchObject({ reason: 'not-found', status: 404 })
  })

  it('search-contacts follows the after cursor up to maxItems', async () => {
    for (let index = 0; index < 5; index++)
      await run('create-contact', { properties: { email: `user${index}@acme.test` } })
    const filterGroups = [
      { filters: [{ propertyName: 'email', operator: 'CONTAINS_TOKEN', value: '*@acme.test' }] },
    ]
    const before = hubspot.requests.length
    const all = await run('search-contacts', { filterGroups, properties: ['email'] })
    expect(all.total).toBe(5)
    expect(
      all.contacts.map((contact: { properties: { email: string } }) => contact.properties.email),
    ).toEqual([
      'user0@acme.test',
      'user1@acme.test',
      'user2@acme.test',
      'user3@acme.test',
      'user4@acme.test',
    ])
    expect(all.after).toBeNull()
    // Two pages (the server sends 3 at most): the second asked with the first page's cursor.
    expect(hubspot.requests.length - before).toBe(2)
    expect((hubspot.requests.at(-1)!.body as { after?: string }).after).toBe('3')
    const some = await run('search-contacts', { filterGroups, maxItems: 2 })
    expect(some).toMatchObject({ total: 5, after: '2' })
    expect(some.contacts).toHaveLength(2)
    const rest = await run('search-contacts', { filterGroups, after: some.after, maxItems: 2 })
    expect(rest.contacts[0].properties.email).toBe('user2@acme.test')
    // maxItems 4: a page of 3, then a page of 1 from the cursor.
    const paged = await run('search-contacts', { filterGroups, maxItems: 4 })
    expect(paged).toMatchObject({ after: '4' })
    expect(paged.contacts).toHaveLength(4)
    expect(hubspot.requests.at(-1)!.body).toMatchObject({ after: '3', limit: 1 })
  })

  it('create-deal associates contacts; idempotencyProperty returns the first deal on a retry', async () => {
    const input = {
      properties: { dealname: 'Acme renewal', amount: 1200 },
      contactIds: [hubspot.contacts[0]!.id],
      idempotencyProperty: 'tessera_key',
    }
    const first = await run('create-deal', input, { key: 'run-5:deal' })
    const second = await run('create-deal', input, { key: 'run-5:deal' })
    expect(first).toMatchObject({
      created: true,
      properties: { dealname: 'Acme renewal', amount: '1200' },
    })
    expect(second).toMatchObject({ created: false, id: first.id })
    expect(hubspot.deals).toHaveLength(1)
    expect(hubspot.deals[0]!.properties.tessera_key).toBe('run-5:deal')
    expect(hubspot.deals[0]!.associations).toEqual([
      {
        to: { id: hubspot.contacts[0]!.id },
        types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 }],
      },
    ])
  })

  it("maps HubSpot's errors", async () => {
    const bad = await run(
      'search-contacts',
      {},
      { config: { ...config, accessToken: 'pat-wrong' } },
    ).catch((error: unknown) => error as ConnectorError)
    expect(bad).toMatchObject({ reason: 'unauthorized', status: 401 })
    expect(bad.message).toContain('INVALID_AUTHENTICATION')
    expect(bad.message).not.toContain('pat-wrong')
    await expect(
      run('create-contact', { properties: { email: 'z@z.test', x_unknown: 'v' } }),
    ).rejects.toMatchObject({ reason: 'invalid-request', status: 400 })
    hubspot.failNext(
      hubspotErrorReply(429, 'You have reached your ten_secondly_rolling limit.', 'RATE_LIMITS', {
        'x-hubspot-ratelimit-interval-milliseconds': '10000',
        'x-hubspot-ratelimit-max': '100',
        'x-hubspot-ratelimit-remaining': '0',
      }),
    )
    await expect(run('search-contacts', {})).rejects.toMatchObject({
      reason: 'rate-limited',
      retryable: true,
      retryAfterMs: 10_000,
    })
    hubspot.failNext(hubspotErrorReply(429, 'slow down', 'RATE_LIMITS', { 'retry-after': '2' }))
    await expect(run('search-contacts', {})).rejects.toMatchObject({ retryAfterMs: 2000 })
    const requests = hubspot.requests.length
    hubspot.failNext(hubspotErrorReply(502, 'Bad gateway', 'INTERNAL_ERROR'))
    await expect(run('search-contacts', {})).rejects.toMatchObject({
      reason: 'remote',
      status: 502,
      retryable: true,
    })
    // The SDK's own retries are off: one request, the engine decides about retrying.
    expect(hubspot.requests.length - requests).toBe(1)
    await expect(
      run('search-contacts', {}, { config: { ...config, basePath: 'http://127.0.0.1:1' } }),
    ).rejects.toMatchObject({ reason: 'network' })
  })

  it('abort stops the pending request', async () => {
    expect(
      await abortHeldCall(hubspot, (signal) => run('search-contacts', {}, { signal })),
    ).toMatchObject({
      reason: 'aborted',
    })
  })

  it('check lists a contact with the token', async () => {
    const signal = new AbortController().signal
    await expect(connector.check!({ config, signal, logger })).resolves.toBeUndefined()
    await expect(
      connector.check!({ config: { ...config, accessToken: 'nope' }, signal, logger }),
    ).rejects.toMatchObject({ reason: 'unauthorized', action: 'check' })
  })

  it('runs as a workflow action node through the engine', async () => {
    const workflow = createWorkflow({ id: 'signup', input: z.object({ email: z.string() }) })
      .map(({ input }) => ({ properties: { email: input.email }, ifExists: 'update' as const }))
      .action(connector, 'create-contact', {
        accessToken: { $secret: 'HUBSPOT_TOKEN' },
        basePath: hubspot.url,
      })
      .commit()
    const secrets: SecretsProviderV1 = {
      specificationVersion: 'v1',
      provider: 'test',
      get: async (name) => (name === 'HUBSPOT_TOKEN' ? token : undefined),
    }
    const engine = createEngine({ secrets })
    try {
      const started = await engine.start(workflow, { email: 'grace@example.com' })
      expect(await started.result()).toMatchObject({
        created: true,
        properties: { email: 'grace@example.com' },
      })
    } finally {
      await engine.close()
    }
  })
})
