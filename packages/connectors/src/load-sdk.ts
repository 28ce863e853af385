// Loading the optional peer SDKs (drivers, vendor clients) that the connectors import lazily, so
// that an application installs only the SDKs of the connectors it uses.
import { ConnectorError } from '@tessera/core'

/**
 * Imports an optional peer SDK, or throws `invalid-config` saying which package to install.
 *
 * @example
 * ```ts
 * const amqp = await loadSdk(() => import('amqplib'), 'amqplib', 'RabbitMQ', 'rabbitmq', 'publish')
 * ```
 */
export async function loadSdk<T>(
  load: () => Promise<T>,
  packageName: string,
  name: string,
  connector: string,
  action: string,
): Promise<T> {
  try {
    return await load()
  } catch (error) {
    throw new ConnectorError({
      connector,
      action,
      reason: 'invalid-config',
      message: `install ${packageName} to use the ${name} connector`,
      cause: error,
    })
  }
}

/**
 * A loader of one optional peer SDK for {@link loadSdk} that imports it once and shares the
 * result; a failed import is forgotten, so a later call tries again (the package may have been
 * installed meanwhile). `load` may also pick the export it needs (CommonJS interop).
 *
 * @example
 * ```ts
 * const loadNodemailer = createSdkLoader(() => import('nodemailer'), 'nodemailer', 'SMTP')
 * const nodemailer = await loadNodemailer('smtp', 'send-email')
 * ```
 */
export function createSdkLoader<T>(
  load: () => Promise<T>,
  packageName: string,
  name: string,
): (connector: string, action: string) => Promise<T> {
  let loading: Promise<T> | undefined
  const once = () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined
      throw error
    })
    return loading
  }
  return (connector, action) => loadSdk(once, packageName, name, connector, action)
}
