// End-to-end under a strict Content Security Policy: the host page served with
// `script-src 'self'` (no 'unsafe-eval'), as hosts that forbid eval serve it. The designer must
// work there, its properties form included: validation errors still show, and the page reports
// no CSP violation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { launchChromium, requireChromium, type ChromiumSession } from './chromium'
import { collectPageErrors } from './collect-page-errors'
import { dragOnto } from './drag-onto'
import { startHostApp, strictContentSecurityPolicy, type HostApp } from './host-app'

interface Violation {
  directive: string
  blockedURI: string
  sample: string
}

describe.runIf(requireChromium())('designer host under a strict CSP', { timeout: 60_000 }, () => {
  let host: HostApp
  let browser: ChromiumSession
  let page: Page
  const errors: string[] = []
  let policy: string | null = null

  const violations = () =>
    page.evaluate(() => (window as unknown as { cspViolations: Violation[] }).cspViolations)

  beforeAll(async () => {
    host = await startHostApp()
    browser = await launchChromium()
    page = await browser.context.newPage()
    page.setDefaultTimeout(15_000)
    // Every violation the page reports, from its first script on.
    await page.addInitScript(() => {
      const seen: Violation[] = []
      ;(window as unknown as { cspViolations: Violation[] }).cspViolations = seen
      document.addEventListener('securitypolicyviolation', (event) =>
        seen.push({
          directive: event.effectiveDirective,
          blockedURI: event.blockedURI,
          sample: event.sample,
        }),
      )
    })
    collectPageErrors(page, errors)
    page.on('response', (response) => {
      if (response.request().resourceType() === 'document')
        policy = response.headers()['content-security-policy'] ?? null
    })
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await host?.close()
  })

  const node = (id: string) => page.getByTestId(`tsr-node-${id}`)
  const form = () => page.getByTestId('tsr-properties')

  it('opens the designer with the policy in force', async () => {
    await page.goto(`${host.url}?csp=strict`)
    await page.getByRole('heading', { name: 'Tessera designer host' }).waitFor()
    await node('root#empty').waitFor()
    expect(policy).toBe(strictContentSecurityPolicy)
    expect(errors).toEqual([])
    expect(await violations()).toEqual([])
  })

  it("validates the workflow's settings: a bad id shows an error, the fixed one applies", async () => {
    const id = form().getByLabel(/Workflow id/)
    await id.fill('order flow!')
    await form().getByTestId('tsr-properties-apply').click()
    await form()
      .getByText(/must match pattern/)
      .first()
      .waitFor()
    await id.fill('order-flow')
    await form().getByTestId('tsr-properties-apply').click()
    await page.getByRole('button', { name: 'Export definition' }).click()
    const json = JSON.parse(await page.getByTestId('exported-definition').innerText())
    expect(json.id).toBe('order-flow')
  })

  it("validates a node's properties as you type", async () => {
    await dragOnto(page, page.getByTestId('tsr-palette-item-step:fetch-order'), node('root#empty'))
    await node('fetch-order').click()
    await form()
      .getByLabel(/Timeout \(ms\)/)
      .fill('0')
    await form().getByText('must be >= 1').first().waitFor()
    await form()
      .getByLabel(/Timeout \(ms\)/)
      .fill('2500')
    await form().getByTestId('tsr-properties-apply').click()
    await page.getByRole('button', { name: 'Export definition' }).click()
    const json = JSON.parse(await page.getByTestId('exported-definition').innerText())
    expect(json.root.children[0]).toMatchObject({ id: 'fetch-order', timeoutMs: 2500 })
  })

  it('reported no CSP violation and no error, while the page does catch eval', async () => {
    expect(errors).toEqual([])
    expect(await violations()).toEqual([])
    // The check can fail: code the page compiles from a string is refused and reported here.
    // (Scripts playwright evaluates are exempt; a timer with a string body is the page's own.)
    await page.evaluate(() => {
      const timer = setTimeout as unknown as (code: string) => void
      timer('document.body.dataset.evaluated = "yes"')
    })
    await expect
      .poll(violations)
      .toEqual([expect.objectContaining({ directive: 'script-src', blockedURI: 'eval' })])
    expect(await page.evaluate(() => document.body.dataset.evaluated)).toBeUndefined()
  })
})
