import { it } from 'vitest'

/**
 * Tests against the machine's real servers (PostgreSQL, MariaDB, Redis, …). Under `CI=true` an
 * unreachable server fails the test file; elsewhere its tests are skipped with a warning.
 *
 * @example
 * ```ts
 * const up = await requireService('PostgreSQL', 'postgres://postgres@127.0.0.1:5432/test', probe)
 * describe.runIf(up)('postgres store', () => { … })
 * ```
 */
export async function requireService(
  name: string,
  address: string,
  probe: () => Promise<unknown>,
): Promise<boolean> {
  try {
    await probe()
    return true
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    if (process.env.CI === 'true' || process.env.CI === '1') {
      throw new Error(
        `${name} at ${address} is required under CI=true but is unreachable (${reason}). ` +
          'Start the machine services with `bash scripts/services.sh`.',
        { cause: error },
      )
    }
    console.warn(`Skipping the ${name} tests: ${address} is unreachable (${reason})`)
    return false
  }
}

/** A name no other test file or run uses: for schemas, table prefixes and key prefixes. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
}

/**
 * Registers `suite` when `requireService` found the service; otherwise one skipped test whose
 * title says which service was missing. That skip happens only outside CI: under `CI=true`,
 * `requireService` has already failed the file.
 *
 * @example
 * ```ts
 * whenUp(up, 'PostgreSQL at 127.0.0.1:5432', () => describeConnectorConformance({ … }))
 * ```
 */
export function whenUp(up: boolean, service: string, suite: () => void): void {
  if (up) suite()
  else
    it.skip(`skipped: ${service} is unreachable here (outside CI only; CI=true fails instead)`, () => {})
}
