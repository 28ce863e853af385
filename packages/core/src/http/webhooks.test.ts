import { afterEach, describe, expect, it } from 'vitest'
import { createHttpKit, webhookSecret, type HttpKit } from '../../test/http-kit'
import { signWebhook, verifyWebhookSignature } from './webhook-signature'

const kits: HttpKit[] = []
afterEach(async () => {
  await Promise.all(kits.splice(0).map((made) => made.close()))
})

const deliver = (kit: HttpKit, body: string, headers: Record<string, string>, name = 'orders') =>
  kit.handler(
    new Request(`http://tessera.test/webhooks/${name}`, { method: 'POST', body, headers }),
  )

describe('webhooks', () => {
  it('signWebhook: t=<unix>,v1=<hex HMAC SHA-256 of "t.body">, as openssl computes it', async () => {
    const header = await signWebhook({
      secret: 'topsecret-0123456789',
      body: '{"a":1}',
      timestamp: 1700000000,
    })
    // printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac topsecret-0123456789
    expect(header).toBe(
      't=1700000000,v1=626e5ba229f6bb6d3f4106bca9a65587340c1de8729475535aca9ac9323003ff',
    )
    const { createHmac } = await import('node:crypto')
    const expected = createHmac('sha256', 'topsecret-0123456789')
      .update('1700000000.{"a":1}')
      .digest('hex')
    expect(header).toBe(`t=1700000000,v1=${expected}`)
  })

  it('verifies: the raw body is what is signed, the timestamp within the tolerance, any of several v1 values', async () => {
    const nowMs = 1_700_000_000_000
    const body = '{"name":"Ann"}'
    const header = await signWebhook({ secret: webhookSecret, body, timestamp: nowMs / 1000 })
    const check = (overrides: Partial<Parameters<typeof verifyWebhookSignature>[0]>) =>
      verifyWebhookSignature({
        secret: webhookSecret,
        body,
        header,
        nowMs,
        toleranceMs: 300_000,
        ...overrides,
      })
    await expect(check({})).resolves.toBeUndefined()
    await expect(check({ body: '{"name": "Ann"}' })).rejects.toThrow(
      'the signature does not match the body',
    )
    await expect(check({ nowMs: nowMs + 301_000 })).rejects.toThrow(
      /outside the tolerance of 300000 ms/,
    )
    await expect(check({ header: null })).rejects.toThrow(/header is missing/)
    await expect(check({ header: 'v1=abc' })).rejects.toThrow(
      /must be "t=<unix seconds>,v1=<64 hex digits>"/,
    )
    const rotated = `${header},v1=${'0'.repeat(64)}`
    await expect(check({ header: rotated })).resolves.toBeUndefined()
    await expect(check({ secret: 'another-secret-0123456789' })).rejects.toMatchObject({
      code: 'unauthenticated',
    })
  })

  it('starts a run from a signed delivery; x-tessera-delivery makes it idempotent; audited as webhook.start', async () => {
    const kit = createHttpKit()
    kits.push(kit)
    const body = JSON.stringify({ name: 'Hook' })
    const headers = {
      'x-tessera-signature': await signWebhook({ secret: webhookSecret, body }),
      'x-tessera-delivery': 'evt_1',
    }
    const first = await deliver(kit, body, headers)
    expect(first.status).toBe(202)
    const { runId, created } = (await first.json()) as { runId: string; created: boolean }
    expect(created).toBe(true)
    await kit.settled(runId, 'succeeded')
    expect((await kit.engine.store.getRun(runId))!.output).toMatchObject({ greeting: 'Hello Hook' })
    const again = await deliver(kit, body, headers)
    expect([again.status, ((await again.json()) as { runId: string }).runId]).toEqual([200, runId])
    const audit = (await (await kit.call('GET', '/audit?action=webhook.start')).json()) as {
      records: any[]
    }
    expect(audit.records[0]).toMatchObject({
      actor: { id: 'webhook:orders', method: 'webhook-signature' },
      resource: { type: 'run', id: runId, workflowId: 'greet' },
      change: { webhook: 'orders', delivery: 'evt_1' },
    })
  })

  it('401 on a bad or stale signature; the secret may come from a function; input maps the body', async () => {
    let reads = 0
    const kit = createHttpKit({
      webhooks: {
        github: {
          workflowId: 'greet',
          secret: async () => (reads++, 'from-a-vault-0123456789'),
          tolerance: '1m',
          input: (body, request) => ({
            name: `${(body as { sender: string }).sender} via ${request.headers.get('x-source')}`,
          }),
        },
      },
    })
    kits.push(kit)
    const body = JSON.stringify({ sender: 'octocat' })
    const stale = await signWebhook({
      secret: 'from-a-vault-0123456789',
      body,
      timestamp: Math.floor(Date.now() / 1000) - 120,
    })
    const refused = await deliver(kit, body, { 'x-tessera-signature': stale }, 'github')
    expect(refused.status).toBe(401)
    expect(((await refused.json()) as { detail: string }).detail).toMatch(
      /outside the tolerance of 60000 ms/,
    )
    const fresh = await signWebhook({ secret: 'from-a-vault-0123456789', body })
    const accepted = await deliver(
      kit,
      body,
      { 'x-tessera-signature': fresh, 'x-source': 'github' },
      'github',
    )
    expect(accepted.status).toBe(202)
    const { runId } = (await accepted.json()) as { runId: string }
    await kit.settled(runId, 'succeeded')
    expect((await kit.engine.store.getRun(runId))!.input).toEqual({ name: 'octocat via github' })
    expect(reads).toBe(2)
    const audit = (await (await kit.call('GET', '/audit?action=webhook.start')).json()) as {
      records: { actor: { id: string }; outcome: { ok: boolean; status: number } }[]
    }
    expect(audit.records.map((record) => [record.actor.id, record.outcome.status])).toEqual([
      ['anonymous', 401],
      ['webhook:github', 202],
    ])
    expect((await deliver(kit, body, { 'x-tessera-signature': fresh }, 'orders')).status).toBe(404)
  })
})
