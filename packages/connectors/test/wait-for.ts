// Test helper of the connector tests (not exported from the package).

/**
 * Checks `condition` every 25 ms until it holds, and throws after `attempts` checks (5 s by
 * default). The limit only turns a hang into a clear failure; no test measures it.
 *
 * @example
 * ```ts
 * await waitFor(async () => (await runningStatements()).length === 1)
 * ```
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  attempts = 200,
): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (await condition()) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error('the condition did not become true within 5 s')
}
