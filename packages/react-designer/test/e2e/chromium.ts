// Debian's Chromium driven by playwright-core for the designer's browser tests and benchmark.
// No browser is ever downloaded: CI installs Debian's `chromium` (scripts/browser.sh).
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'

/** The flags every launch uses (besides playwright's own and a fresh `--user-data-dir`). */
export const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
]

/** Where the browser is: `TESSERA_CHROMIUM`, else Debian's `/usr/bin/chromium`. */
export function chromiumPath(): string {
  return process.env.TESSERA_CHROMIUM ?? '/usr/bin/chromium'
}

/**
 * Whether the browser tests can run. Under `CI=true` a missing browser fails the test file;
 * elsewhere its tests are skipped with the reason (the same policy as the store tests).
 *
 * @example
 * ```ts
 * describe.runIf(requireChromium())('designer in Chromium', () => { … })
 * ```
 */
export function requireChromium(): boolean {
  const path = chromiumPath()
  if (existsSync(path)) return true
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(
      `Chromium at ${path} is required under CI=true but is missing. ` +
        "Install Debian's chromium with `bash scripts/browser.sh` (or set TESSERA_CHROMIUM).",
    )
  }
  console.warn(
    `Skipping the browser tests: no Chromium at ${path} (install Debian's chromium with ` +
      '`bash scripts/browser.sh`, or set TESSERA_CHROMIUM)',
  )
  return false
}

/** A running browser with a fresh profile; `close()` ends it and deletes the profile. */
export interface ChromiumSession {
  context: BrowserContext
  close(): Promise<void>
}

/**
 * Launches headless Chromium with the project's flags and a fresh user data directory.
 *
 * @example
 * ```ts
 * const session = await launchChromium()
 * const page = await session.context.newPage()
 * ```
 */
export async function launchChromium(): Promise<ChromiumSession> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'tessera-chromium-'))
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    args: chromiumFlags,
    viewport: { width: 1280, height: 800 },
  })
  return {
    context,
    async close() {
      await context.close()
      await rm(userDataDir, { recursive: true, force: true })
    },
  }
}
