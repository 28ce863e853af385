// Mouse drag and drop for the designer's browser tests.
import type { Locator, Page } from 'playwright-core'

/**
 * Drags with the mouse (pointer events, as a person does) from one element onto another: press
 * on the source's centre, a short first move so the drag starts, then a move onto the target's
 * centre and release.
 *
 * @example
 * ```ts
 * await dragOnto(page, page.getByTestId('tsr-palette-task'), page.getByTestId('tsr-node-root#empty'))
 * ```
 */
export async function dragOnto(page: Page, source: Locator, target: Locator): Promise<void> {
  const from = await source.boundingBox()
  const to = await target.boundingBox()
  if (!from || !to) throw new Error('drag: an element is not visible')
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2)
  await page.mouse.down()
  await page.mouse.move(from.x + from.width / 2 + 20, from.y + from.height / 2 + 10, { steps: 4 })
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 })
  await page.mouse.up()
}
