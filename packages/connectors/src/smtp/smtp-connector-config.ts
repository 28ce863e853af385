import { z } from 'zod'
import { secretRef } from '@tessera/core'
import { timeoutMsSchema } from '../config-field-schemas'

/**
 * The configuration schema of the SMTP connector: the relay's host and port, implicit TLS
 * (`secure`, port 465) or STARTTLS (`requireTls`), the login (the password is a secret
 * reference), the default sender, and pool and timeout settings.
 *
 * @example
 * ```ts
 * const config = smtpConnectorConfigSchema.parse({
 *   host: 'smtp.example.com',
 *   port: 587,
 *   requireTls: true,
 *   auth: { user: 'apikey', pass: { $secret: 'SMTP_PASSWORD' } },
 *   from: 'Tessera <noreply@example.com>',
 * })
 * ```
 */
export const smtpConnectorConfigSchema = z
  .object({
    host: z.string().min(1).describe('The SMTP relay host name or IP address'),
    port: z
      .number()
      .int()
      .min(1)
      .max(65_535)
      .optional()
      .describe('The port. Default 465 when secure, else 587'),
    secure: z
      .boolean()
      .optional()
      .describe('Implicit TLS from the first byte (port 465). Default: true on port 465'),
    requireTls: z
      .boolean()
      .optional()
      .describe('Refuse to send unless the server upgrades the connection with STARTTLS'),
    rejectUnauthorized: z
      .boolean()
      .optional()
      .describe('Verify the server certificate. Default true; false only for a test relay'),
    auth: z
      .object({
        user: z.string().min(1).describe('The login user name'),
        pass: secretRef({ title: 'Password', description: 'The login password or API key' }),
      })
      .strict()
      .optional()
      .describe('The login (AUTH PLAIN/LOGIN); leave out for a relay that needs none'),
    from: z.string().min(3).describe('The default sender, such as "Tessera <noreply@example.com>"'),
    messageIdDomain: z
      .string()
      .regex(/^[A-Za-z0-9.-]+$/, 'a domain such as "example.com"')
      .optional()
      .describe(
        'The right-hand side of the Message-ID made from the idempotency key. Default "tessera"',
      ),
    maxConnections: z
      .number()
      .int()
      .min(1)
      .max(50)
      .optional()
      .describe('Pooled connections to the relay. Default 5'),
    timeoutMs: timeoutMsSchema('Connection and socket timeout in milliseconds. Default 30 000'),
  })
  .strict()

/** The configuration of the SMTP connector, as stored (the password is a secret reference). */
export type SmtpConnectorConfig = z.input<typeof smtpConnectorConfigSchema>
