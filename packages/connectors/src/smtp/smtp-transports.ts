import { createHash } from 'node:crypto'
import type { Transporter } from 'nodemailer'
import { createSdkLoader } from '../load-sdk'
import type { SmtpConnectorConfig } from './smtp-connector-config'

/** The SMTP configuration an action receives (the password resolved). */
export type ResolvedSmtpConfig = Omit<SmtpConnectorConfig, 'auth'> & {
  auth?: { user: string; pass: string } | undefined
}

/** The default connection and socket timeout of the SMTP connector, in milliseconds. */
export const defaultSmtpTimeoutMs = 30_000

type NodemailerModule = typeof import('nodemailer')
const transports = new Map<string, Transporter>()

const loadNodemailer = createSdkLoader(
  () =>
    import('nodemailer').then((loaded) =>
      'createTransport' in loaded ? loaded : (loaded as { default: NodemailerModule }).default,
    ),
  'nodemailer',
  'SMTP',
)

/**
 * The pooled Nodemailer transport of a configuration, made on first use and kept until
 * {@link closeSmtpTransports}. The cache key is a SHA-256 of the resolved configuration, so the
 * password never sits in a map key.
 *
 * @example
 * ```ts
 * const transport = await smtpTransport(config, 'smtp', 'send-email')
 * ```
 */
export async function smtpTransport(
  config: ResolvedSmtpConfig,
  connector: string,
  action: string,
): Promise<Transporter> {
  const key = createHash('sha256').update(JSON.stringify(config)).digest('base64url')
  const cached = transports.get(key)
  if (cached) return cached
  const nodemailer = await loadNodemailer(connector, action)
  const secure = config.secure ?? config.port === 465
  const timeoutMs = config.timeoutMs ?? defaultSmtpTimeoutMs
  const transport = nodemailer.createTransport({
    pool: true,
    host: config.host,
    port: config.port ?? (secure ? 465 : 587),
    secure,
    requireTLS: config.requireTls ?? false,
    maxConnections: config.maxConnections ?? 5,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    ...(config.auth === undefined
      ? {}
      : { auth: { user: config.auth.user, pass: config.auth.pass } }),
    ...(config.rejectUnauthorized === false ? { tls: { rejectUnauthorized: false } } : {}),
  })
  const raced = transports.get(key)
  if (raced) {
    transport.close()
    return raced
  }
  transports.set(key, transport)
  return transport
}

/**
 * Forgets the transport of `config` and closes it (after a rejected login, so that a fixed
 * password is read again).
 *
 * @example
 * ```ts
 * evictSmtpTransport(config)
 * ```
 */
export function evictSmtpTransport(config: ResolvedSmtpConfig): void {
  const key = createHash('sha256').update(JSON.stringify(config)).digest('base64url')
  transports.get(key)?.close()
  transports.delete(key)
}

/**
 * Closes every pooled SMTP connection the SMTP connector opened, so that a test or a host can
 * exit. Later sends open new ones.
 *
 * @example
 * ```ts
 * afterAll(() => closeSmtpTransports())
 * ```
 */
export async function closeSmtpTransports(): Promise<void> {
  const all = [...transports.values()]
  transports.clear()
  for (const transport of all) transport.close()
}
