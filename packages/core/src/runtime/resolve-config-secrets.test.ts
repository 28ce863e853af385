import { describe, expect, it } from 'vitest'
import { ConnectorError, mapSecrets, resolveConfigSecrets, type LogFields } from '../index'

const where = { connector: 'db', action: 'query' }

describe('resolveConfigSecrets', () => {
  it('returns a copy with the values in place, and a redaction of them', async () => {
    const config = {
      host: 'db',
      password: { $secret: 'PW' },
      replicas: [{ key: { $secret: 'K' } }],
    }
    const resolved = await resolveConfigSecrets(config, {
      ...where,
      secrets: [mapSecrets({ PW: 'pw-123456' }), mapSecrets({ K: 'key-abcdef', PW: 'other' })],
    })
    expect(resolved.config).toEqual({
      host: 'db',
      password: 'pw-123456',
      replicas: [{ key: 'key-abcdef' }],
    })
    expect(config.password).toEqual({ $secret: 'PW' })
    expect(resolved.names).toEqual(['PW', 'K'])
    expect(resolved.redact.text('pw-123456 and key-abcdef')).toBe('[secret:PW] and [secret:K]')
    expect(resolved.redact.value({ rows: [{ note: 'pw-123456' }], n: 1 })).toEqual({
      rows: [{ note: '[secret:PW]' }],
      n: 1,
    })
    const error = resolved.redact.error(new Error('bad password pw-123456')) as Error
    expect(error.message).toBe('bad password [secret:PW]')
    const lines: string[] = []
    const logger = resolved.redact.logger({
      debug: () => {},
      info: (message: string, fields?: LogFields) =>
        lines.push(`${message} ${JSON.stringify(fields)}`),
      warn: () => {},
      error: () => {},
      child: () => logger,
    })
    logger.info('using pw-123456', { key: 'key-abcdef' })
    expect(lines).toEqual(['using [secret:PW] {"key":"[secret:K]"}'])
  })

  it('leaves a config without references as it is', async () => {
    const config = { host: 'db' }
    const resolved = await resolveConfigSecrets(config, { ...where, secrets: undefined })
    expect(resolved.config).toBe(config)
    expect(resolved.redact.text('db')).toBe('db')
  })

  it('fails with a non-retryable invalid-config ConnectorError naming the path and the secret', async () => {
    const config = { auth: { token: { $secret: 'API_TOKEN' } } }
    const missing = await resolveConfigSecrets(config, {
      ...where,
      where: 'tool "db_query"',
      secrets: mapSecrets({}),
    }).catch((error: unknown) => error)
    expect(ConnectorError.isInstance(missing)).toBe(true)
    expect(missing).toMatchObject({ reason: 'invalid-config', retryable: false, connector: 'db' })
    expect((missing as Error).message).toBe(
      'db.query: tool "db_query": config.auth.token refers to secret "API_TOKEN", which no secrets provider has',
    )
    const none = await resolveConfigSecrets(config, { ...where, secrets: undefined }).catch(
      (error: unknown) => error,
    )
    expect((none as Error).message).toContain('but no secrets provider was given')
  })
})
