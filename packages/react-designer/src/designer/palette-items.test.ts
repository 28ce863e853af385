import { describe, expect, it } from 'vitest'
import { describedRegistry, twoSteps } from '../../test/designer-fixtures'
import { insertAfter } from './definition-edits'
import { emptyRegistry } from './designer-registry'
import { createNode, filterPalette, paletteItems, type PaletteItem } from './palette-items'

const registry = describedRegistry()
const item = (key: string): PaletteItem =>
  paletteItems(registry).find((entry) => entry.key === key)!

describe('palette items', () => {
  it("lists the registry's steps, workflows and functions, then the control nodes", () => {
    const items = paletteItems(registry)
    expect(items.map((entry) => `${entry.category}/${entry.key}`)).toEqual(
      expect.arrayContaining([
        'Steps/step:fetch-order',
        'Steps/step:check-line',
        'Workflows/workflow:escalate',
        'Functions/code:order-review/is-big',
        'Control/control:parallel',
        'Control/control:approval',
        'Control/control:subworkflow',
      ]),
    )
    expect(item('step:fetch-order').output).toMatchObject({ type: 'object' })
    expect(paletteItems(emptyRegistry).map((entry) => entry.category)).toEqual(
      Array(8).fill('Control'),
    )
  })

  it('filters by every word of the query, in any case', () => {
    const items = paletteItems(registry)
    expect(filterPalette(items, 'ORDER').map((entry) => entry.key)).toEqual([
      'step:fetch-order',
      'code:order-review/is-big',
    ])
    expect(filterPalette(items, 'wait event').map((entry) => entry.key)).toEqual(['control:event'])
    expect(filterPalette(items, '  ')).toHaveLength(items.length)
  })

  it('creates valid nodes with fresh ids that insert into a definition', () => {
    const definition = twoSteps()
    const step = createNode(item('step:notify'), definition, registry)
    expect(step).toEqual({ type: 'step', id: 'notify-2', step: 'notify' })
    for (const key of [
      'control:parallel',
      'control:branch',
      'control:foreach',
      'control:loop',
      'control:sleep',
      'control:event',
      'control:approval',
      'control:subworkflow',
      'workflow:escalate',
      'code:order-review/is-big',
    ]) {
      const node = createNode(item(key), definition, registry)
      if (typeof node === 'string') throw new Error(`${key}: ${node}`)
      const result = insertAfter(definition, 'fetch-order', node)
      expect(result.ok, `${key}: ${result.ok ? '' : result.reason}`).toBe(true)
    }
  })

  it('says why a subworkflow cannot be made without registered workflows', () => {
    const subworkflow = paletteItems(emptyRegistry).find(
      (entry) => entry.key === 'control:subworkflow',
    )!
    expect(createNode(subworkflow, twoSteps(), emptyRegistry)).toBe(
      'a subworkflow needs a registered workflow; the registry has none',
    )
  })
})
