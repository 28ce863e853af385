// End-to-end: examples/designer-host in Debian's Chromium, driven by playwright-core. One
// scenario as a user would go through it: build a workflow by drag and drop, edit it through the
// form, meet a validation error and fix it, export the definition and the code, run it and watch
// every node go green. With TESSERA_SCREENSHOTS=1 it saves screenshots into docs/images/.
import { mkdir } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Locator, Page } from 'playwright-core'
import { launchChromium, requireChromium, type ChromiumSession } from './chromium'
import { collectPageErrors } from './collect-page-errors'
import { dragOnto } from './drag-onto'
import { startHostApp, type HostApp } from './host-app'

const screenshots = process.env.TESSERA_SCREENSHOTS === '1'
const imagesFolder = new URL('../../../../docs/images/', import.meta.url).pathname

async function screenshot(target: Page | Locator, name: string): Promise<void> {
  if (!screenshots) return
  await mkdir(imagesFolder, { recursive: true })
  await target.screenshot({ path: `${imagesFolder}${name}.png` })
}

describe.runIf(requireChromium())('designer host in Chromium', { timeout: 60_000 }, () => {
  let host: HostApp
  let browser: ChromiumSession
  let page: Page
  const errors: string[] = []

  beforeAll(async () => {
    host = await startHostApp()
    browser = await launchChromium()
    page = await browser.context.newPage()
    page.setDefaultTimeout(15_000)
    collectPageErrors(page, errors)
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await host?.close()
  })

  const node = (id: string) => page.getByTestId(`tsr-node-${id}`)
  const paletteItem = (id: string) => page.getByTestId(`tsr-palette-item-step:${id}`)

  it('opens on an empty workflow with the demo steps in the palette', async () => {
    await page.goto(host.url)
    await page.getByRole('heading', { name: 'Tessera designer host' }).waitFor()
    await node('root#empty').waitFor()
    for (const id of ['fetch-order', 'check-stock', 'charge-card', 'send-receipt'])
      expect(await paletteItem(id).isVisible()).toBe(true)
    expect(errors).toEqual([])
  })

  it('builds a three-step workflow by drag and drop', async () => {
    await dragOnto(page, paletteItem('fetch-order'), node('root#empty'))
    await node('fetch-order').waitFor()
    await dragOnto(page, paletteItem('charge-card'), node('fetch-order'))
    await node('charge-card').waitFor()
    await dragOnto(page, paletteItem('send-receipt'), node('charge-card'))
    await node('send-receipt').waitFor()
    await expect(page.getByTestId('validation-summary').textContent()).resolves.toBe('No problems')
    await page.getByTestId('tsr-action-fit').click()
    await screenshot(page, 'designer-workflow')
  })

  it('edits a property through the form', async () => {
    await node('charge-card').click()
    const form = page.getByTestId('tsr-properties')
    await form.getByLabel(/Timeout \(ms\)/).fill('5000')
    await form.getByTestId('tsr-properties-apply').click()
    await page.getByRole('button', { name: 'Export definition' }).click()
    const json = JSON.parse(await page.getByTestId('exported-definition').innerText())
    expect(json.root.children[1]).toEqual({
      type: 'step',
      id: 'charge-card',
      step: 'charge-card',
      timeoutMs: 5000,
    })
    await screenshot(page, 'designer-properties')
  })

  it('shows a validation error in the form and applies the fixed value', async () => {
    const form = page.getByTestId('tsr-properties')
    await form.getByLabel(/Node id/).fill('charge card!')
    await form.getByTestId('tsr-properties-apply').click()
    await form
      .getByText(/must match pattern/)
      .first()
      .waitFor()
    await screenshot(page, 'designer-validation-error')
    await form.getByLabel(/Node id/).fill('charge')
    await form.getByTestId('tsr-properties-apply').click()
    await node('charge').waitFor()
    expect(await form.getByText(/must match pattern/).count()).toBe(0)
  })

  it('exports the definition and the code', async () => {
    await page.getByRole('button', { name: 'Export definition' }).click()
    const json = JSON.parse(await page.getByTestId('exported-definition').innerText())
    expect(json.kind).toBe('tessera.workflow')
    expect(json.root.children.map((child: { id: string }) => child.id)).toEqual([
      'fetch-order',
      'charge',
      'send-receipt',
    ])
    await page.getByRole('button', { name: 'Export code' }).click()
    const code = await page.getByTestId('exported-code').innerText()
    expect(code).toContain('createWorkflow(')
    expect(code).toContain("steps['fetch-order']")
    expect(code).toContain("steps['send-receipt']")
    expect(code).toContain('.commit()')
  })

  it('runs the workflow in the page and every node goes green in the run viewer', async () => {
    // Every status a run viewer node shows, as it changes: the run is watched live.
    await page.evaluate(() => {
      const seen = new Set<string>()
      ;(window as unknown as { seenStatuses: Set<string> }).seenStatuses = seen
      const note = (element: Element) => {
        const node = element as HTMLElement
        if (node.closest('.tsr-run-viewer') && node.dataset.status && node.dataset.tsrNodeId)
          seen.add(`${node.dataset.tsrNodeId}:${node.dataset.status}`)
      }
      new MutationObserver((records) => {
        for (const record of records) {
          if (record.type === 'attributes') note(record.target as Element)
          for (const added of Array.from(record.addedNodes))
            if (added instanceof Element) {
              note(added)
              added.querySelectorAll('[data-status]').forEach(note)
            }
        }
      }).observe(document.body, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ['data-status'],
      })
    })
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    const viewer = page.getByRole('region', { name: 'Run of order-flow' })
    await viewer
      .locator('[data-run-status="succeeded"]')
      .or(viewer.and(page.locator('[data-run-status="succeeded"]')))
      .first()
      .waitFor({ timeout: 15_000 })
    for (const id of ['fetch-order', 'charge', 'send-receipt'])
      expect(await viewer.getByTestId(`tsr-node-${id}`).getAttribute('data-status')).toBe(
        'succeeded',
      )
    const seen = await page.evaluate(() => [
      ...(window as unknown as { seenStatuses: Set<string> }).seenStatuses,
    ])
    for (const id of ['fetch-order', 'charge', 'send-receipt']) {
      expect(seen).toContain(`${id}:running`)
      expect(seen).toContain(`${id}:succeeded`)
    }
    await viewer.getByTestId('tsr-node-charge').click()
    const details = viewer.getByTestId('run-details')
    await details.waitFor()
    expect(await details.innerText()).toContain('"charged": 42.5')
    await screenshot(viewer, 'run-viewer-succeeded')
    expect(errors).toEqual([])
  })

  it('opens a generated definition as an outline (the benchmark baseline view)', async () => {
    const outline = await browser.context.newPage()
    await outline.goto(`${host.url}?nodes=40&view=outline`)
    await outline.getByRole('tree').waitFor()
    expect(await outline.getByRole('treeitem').count()).toBeGreaterThanOrEqual(40)
    await outline.close()
  })

  it('switches to dark mode', async () => {
    await page.getByLabel('Dark mode').check()
    expect(await page.locator('main').getAttribute('data-theme')).toBe('dark')
    const viewer = page.getByRole('region', { name: 'Run of order-flow' })
    expect(await viewer.getAttribute('data-color-mode')).toBe('dark')
    await page.evaluate(() => window.scrollTo(0, 0))
    await screenshot(page, 'designer-dark')
    await screenshot(viewer, 'run-viewer-dark')
  })
})
