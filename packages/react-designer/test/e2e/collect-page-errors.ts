// Page errors for the designer's browser tests.
import type { Page } from 'playwright-core'

/**
 * Appends to `errors` every uncaught exception the page throws and every message it logs with
 * `console.error`, from now on, so a test can assert the page stayed clean.
 *
 * @example
 * ```ts
 * const errors: string[] = []
 * collectPageErrors(page, errors)
 * await page.goto(host.url)
 * expect(errors).toEqual([])
 * ```
 */
export function collectPageErrors(page: Page, errors: string[]): void {
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
}
