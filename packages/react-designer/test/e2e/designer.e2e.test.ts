// End-to-end: examples/designer-host in Debian's Chromium, driven by playwright-core.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { launchChromium, requireChromium, type ChromiumSession } from './chromium'
import { startHostApp, type HostApp } from './host-app'

describe.runIf(requireChromium())('designer host in Chromium', () => {
  let host: HostApp
  let browser: ChromiumSession
  let page: Page
  const errors: string[] = []

  beforeAll(async () => {
    host = await startHostApp()
    browser = await launchChromium()
    page = await browser.context.newPage()
    page.on('pageerror', (error) => errors.push(error.message))
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text())
    })
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await host?.close()
  })

  it('loads the host page and shows the sample definition', async () => {
    await page.goto(host.url)
    await expect(
      page.getByRole('heading', { name: 'Tessera designer host' }).isVisible(),
    ).resolves.toBe(true)
    await page.getByRole('tree').waitFor()
    expect(await page.getByRole('treeitem').count()).toBeGreaterThan(1)
    expect(errors).toEqual([])
  })
})
