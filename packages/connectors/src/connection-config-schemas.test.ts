import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { idempotencyTableSchema, tlsOptions, urlOrHost } from './connection-config-schemas'

describe('the shared connection config pieces', () => {
  it('tlsOptions: unset fields dropped, true as {}, false and unset as no TLS', () => {
    expect(tlsOptions({ ca: 'pem', servername: undefined })).toEqual({ ca: 'pem' })
    expect(tlsOptions(true)).toEqual({})
    expect(tlsOptions(false)).toBeUndefined()
    expect(tlsOptions(undefined)).toBeUndefined()
  })

  it('idempotencyTableSchema: each part up to the given length, one optional schema', () => {
    const schema = idempotencyTableSchema(63)
    expect(schema.safeParse(`ops.${'a'.repeat(63)}`).success).toBe(true)
    expect(schema.safeParse('a'.repeat(64)).success).toBe(false)
    expect(idempotencyTableSchema(64).safeParse('a'.repeat(64)).success).toBe(true)
    expect(schema.safeParse('a.b.c').success).toBe(false)
    expect(schema.safeParse('x; DROP TABLE y').success).toBe(false)
  })

  it('urlOrHost: exactly one of the URL field and host, the issue on host', () => {
    const schema = z
      .object({ url: z.string().optional(), host: z.string().optional() })
      .refine(...urlOrHost('url'))
    expect(schema.safeParse({ url: 'x' }).success).toBe(true)
    expect(schema.safeParse({ host: 'x' }).success).toBe(true)
    const both = schema.safeParse({ url: 'x', host: 'y' })
    expect(both.error?.issues[0]).toMatchObject({
      path: ['host'],
      message: 'either url or host (exactly one of them)',
    })
    expect(schema.safeParse({}).success).toBe(false)
  })
})
