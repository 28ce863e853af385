import { z } from 'zod'
import { ConnectorError, secretRef } from '@tessera/core'
import type { Kafka, KafkaConfig } from 'kafkajs'
import { loadSdk } from '../load-sdk'
import { timeoutMsSchema } from '../config-field-schemas'

/**
 * The configuration schema of the Kafka connector: brokers, client id, optional SASL (the
 * password a secret reference) and TLS.
 *
 * @example
 * ```ts
 * kafkaConfigSchema.parse({
 *   brokers: ['kafka-1:9092'],
 *   sasl: { mechanism: 'scram-sha-512', username: 'tessera', password: { $secret: 'KAFKA_PASSWORD' } },
 *   ssl: true,
 * })
 * ```
 */
export const kafkaConfigSchema = z
  .object({
    brokers: z
      .array(z.string().regex(/^[^\s:/]+:\d{1,5}$/, 'host:port'))
      .min(1)
      .describe('Bootstrap brokers, host:port'),
    clientId: z.string().optional().describe('The client id brokers log (default "tessera")'),
    sasl: z
      .object({
        mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).describe('SASL mechanism'),
        username: z.string().describe('The SASL user name'),
        password: secretRef({ title: 'SASL password' }),
      })
      .strict()
      .optional()
      .describe('SASL authentication'),
    ssl: z.boolean().optional().describe('Connect with TLS'),
    connectionTimeoutMs: timeoutMsSchema(
      'How long to wait for a broker connection (default 3 000 ms)',
    ),
    retries: z
      .number()
      .int()
      .min(0)
      .max(20)
      .optional()
      .describe('How many times kafkajs retries a failed request (default 3)'),
  })
  .strict()

/**
 * The configuration of the Kafka connector (secret references unresolved).
 *
 * @example
 * ```ts
 * const config: KafkaConfigInput = { brokers: ['kafka-1:9092'], ssl: true }
 * ```
 */
export type KafkaConfigInput = z.output<typeof kafkaConfigSchema>

/**
 * Kafka connection settings with the password resolved.
 *
 * @example
 * ```ts
 * const kafka = await createKafka({ brokers: ['kafka-1:9092'] } satisfies KafkaConnectionSettings, 'kafka', 'produce')
 * ```
 */
export interface KafkaConnectionSettings {
  brokers: string[]
  clientId?: string | undefined
  sasl?:
    | { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string }
    | undefined
  ssl?: boolean | undefined
  connectionTimeoutMs?: number | undefined
  retries?: number | undefined
}

/**
 * Builds a kafkajs `Kafka` instance (kafkajs loaded lazily; its logs off).
 *
 * @example
 * ```ts
 * const kafka = await createKafka({ brokers: ['127.0.0.1:9092'] }, 'kafka', 'produce')
 * ```
 */
export async function createKafka(
  settings: KafkaConnectionSettings,
  connector: string,
  action: string,
): Promise<Kafka> {
  const sdk = await loadSdk(() => import('kafkajs'), 'kafkajs', 'Kafka', connector, action)
  const kafkajs = (sdk as unknown as { default?: typeof sdk }).default?.Kafka ? sdk.default! : sdk
  const config: KafkaConfig = {
    clientId: settings.clientId ?? 'tessera',
    brokers: settings.brokers,
    connectionTimeout: settings.connectionTimeoutMs ?? 3_000,
    logLevel: kafkajs.logLevel.NOTHING,
    retry: { retries: settings.retries ?? 3, initialRetryTime: 200, maxRetryTime: 5_000 },
    ...(settings.ssl ? { ssl: true } : {}),
    ...(settings.sasl ? { sasl: settings.sasl as KafkaConfig['sasl'] } : {}),
  }
  return new kafkajs.Kafka(config)
}

/**
 * Maps a kafkajs failure to a {@link ConnectorError}: SASL failures are `unauthorized`, an
 * unknown topic or partition `not-found`, request timeouts `timeout`, connection failures (and
 * retries exhausted on them) `network`, other broker errors `remote` (retryable when kafkajs
 * says so).
 *
 * @example
 * ```ts
 * throw kafkaError(error, 'kafka', 'produce', 'producing to "orders"')
 * ```
 */
export function kafkaError(
  error: unknown,
  connector: string,
  action: string,
  where: string,
): ConnectorError {
  if (ConnectorError.isInstance(error)) return error
  const chain: (Error & { type?: string; retriable?: boolean })[] = []
  let current: unknown = error
  while (current instanceof Error && chain.length < 6) {
    chain.push(current)
    current = (current as { originalError?: unknown }).originalError ?? current.cause
  }
  const names = chain.map((item) => item.name)
  const types = chain.map((item) => item.type).filter(Boolean)
  const message = chain.at(-1)?.message ?? String(error)
  const make = (reason: ConnectorError['reason'], text: string, retryable?: boolean) =>
    new ConnectorError({
      connector,
      action,
      reason,
      message: `${where}: ${text}`,
      cause: error,
      ...(types[0] !== undefined ? { status: types[0] } : {}),
      ...(retryable !== undefined ? { retryable } : {}),
    })
  if (
    names.includes('KafkaJSSASLAuthenticationError') ||
    types.some((type) => /SASL|AUTHORIZATION_FAILED/.test(type!))
  )
    return make('unauthorized', 'the broker refused the credentials or the permission')
  if (types.includes('UNKNOWN_TOPIC_OR_PARTITION') || types.includes('TOPIC_AUTHORIZATION_FAILED'))
    return make('not-found', message)
  if (names.includes('KafkaJSRequestTimeoutError')) return make('timeout', message)
  if (
    names.some((name) =>
      /KafkaJSConnectionError|KafkaJSConnectionClosedError|KafkaJSBrokerNotFound/.test(name),
    ) ||
    /ECONNREFUSED|ECONNRESET|Connection (timeout|error)/i.test(message)
  )
    return make('network', `the brokers are unreachable (${message})`)
  return make(
    'remote',
    message,
    chain.some((item) => item.retriable === true),
  )
}
