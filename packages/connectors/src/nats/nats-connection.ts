import { z } from 'zod'
import { ConnectorError, secretRef } from '@tessera/core'
import type { NatsConnection } from '@nats-io/transport-node'
import { loadSdk } from '../load-sdk'
import { timeoutMsSchema } from '../config-field-schemas'

/**
 * The configuration schema of the NATS connector: the servers, and optionally a token or a user
 * and password (both secret references).
 *
 * @example
 * ```ts
 * natsConfigSchema.parse({ servers: ['nats://nats-1:4222', 'nats://nats-2:4222'], token: { $secret: 'NATS_TOKEN' } })
 * ```
 */
export const natsConfigSchema = z
  .object({
    servers: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .describe('One server URL or a list, e.g. nats://127.0.0.1:4222'),
    token: secretRef({ title: 'Token', description: 'An authentication token' }).optional(),
    user: z.string().optional().describe('The user name (with password)'),
    password: secretRef({ title: 'Password', description: "The user's password" }).optional(),
    name: z.string().optional().describe('The client name the server shows in its monitoring'),
    connectTimeoutMs: timeoutMsSchema('How long to wait for the connection (default 10 000 ms)'),
  })
  .strict()
  .refine((config) => (config.password === undefined) === (config.user === undefined), {
    message: '"user" and "password" go together',
    path: ['password'],
  })
  .refine((config) => !(config.token !== undefined && config.user !== undefined), {
    message: 'give either "token" or "user"/"password", not both',
    path: ['token'],
  })

/**
 * The configuration of the NATS connector (secret references unresolved).
 *
 * @example
 * ```ts
 * const config: NatsConfig = { servers: 'nats://127.0.0.1:4222', token: { $secret: 'NATS_TOKEN' } }
 * ```
 */
export type NatsConfig = z.output<typeof natsConfigSchema>

/**
 * Connection settings with the secrets resolved.
 *
 * @example
 * ```ts
 * const connection = await openNatsConnection({ servers: 'nats://127.0.0.1:4222' } satisfies NatsConnectionSettings, 'nats', 'publish')
 * ```
 */
export interface NatsConnectionSettings {
  servers: string | string[]
  token?: string | undefined
  user?: string | undefined
  password?: string | undefined
  name?: string | undefined
  connectTimeoutMs?: number | undefined
}

/**
 * Loads `@nats-io/transport-node`, or throws `invalid-config` saying to install it.
 *
 * @example
 * ```ts
 * const { connect, headers } = await loadNats('nats', 'publish')
 * ```
 */
export function loadNats(
  connector: string,
  action: string,
): Promise<typeof import('@nats-io/transport-node')> {
  return loadSdk(
    () => import('@nats-io/transport-node'),
    '@nats-io/transport-node',
    'NATS',
    connector,
    action,
  )
}

/**
 * Loads `@nats-io/jetstream`, or throws `invalid-config` saying to install it.
 *
 * @example
 * ```ts
 * const { jetstream } = await loadJetstream('nats', 'jetstream-publish')
 * ```
 */
export function loadJetstream(
  connector: string,
  action: string,
): Promise<typeof import('@nats-io/jetstream')> {
  return loadSdk(
    () => import('@nats-io/jetstream'),
    '@nats-io/jetstream',
    'NATS JetStream',
    connector,
    action,
  )
}

/**
 * Opens a NATS connection with the given settings (the client reconnects by itself).
 *
 * @example
 * ```ts
 * const connection = await openNatsConnection({ servers: 'nats://127.0.0.1:4222' }, 'nats', 'publish')
 * ```
 */
export async function openNatsConnection(
  settings: NatsConnectionSettings,
  connector: string,
  action: string,
): Promise<NatsConnection> {
  const nats = await loadNats(connector, action)
  if ((settings.user === undefined) !== (settings.password === undefined))
    throw new ConnectorError({
      connector,
      action,
      reason: 'invalid-config',
      message: '"user" and "password" go together',
    })
  return nats.connect({
    servers: settings.servers,
    timeout: settings.connectTimeoutMs ?? 10_000,
    ...(settings.token !== undefined ? { token: settings.token } : {}),
    ...(settings.user !== undefined ? { user: settings.user, pass: settings.password } : {}),
    ...(settings.name !== undefined ? { name: settings.name } : {}),
  })
}
