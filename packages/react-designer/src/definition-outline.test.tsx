import { useState } from 'react'
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { createStep, createWorkflow } from '@tessera/core'
import { approve, audit, fetchOrder, notify, order } from '../test/steps'
import { DefinitionOutline } from './definition-outline'

const child = createWorkflow({ id: 'escalate', input: order }).then(notify).commit()
const checkLine = createStep({
  id: 'check-line',
  input: z.string(),
  output: z.string(),
  run: ({ input }) => input,
})

const workflow = createWorkflow({ id: 'order-review', input: z.object({ id: z.string() }) })
  .then(fetchOrder)
  .branch(
    [
      [({ input }) => input.total > 1000, approve],
      [() => true, child],
    ],
    { id: 'route' },
  )
  .map(() => ['line-1', 'line-2'], { id: 'lines' })
  .foreach(checkLine, { concurrency: 4, id: 'each-line' })
  .map(() => ({ id: 'x', total: 1 }), { id: 'summary' })
  .parallel({ notify, audit }, { id: 'fan-out' })
  .commit()

afterEach(cleanup)

const item = (label: string) =>
  screen.getByRole('treeitem', { name: new RegExp(`^(.+ )?${label}$`) })
const focusedLabel = () => document.activeElement?.querySelector('.tsr-outline__label')?.textContent

describe('DefinitionOutline', () => {
  it('renders every node of a builder-made definition as an ARIA tree', () => {
    render(<DefinitionOutline definition={workflow.definition} />)
    const tree = screen.getByRole('tree', { name: 'Workflow order-review' })
    expect(tree).toHaveProperty('className', 'tsr-outline')
    const labels = within(tree)
      .getAllByRole('treeitem')
      .map((element) => element.querySelector('.tsr-outline__label')?.textContent)
    expect(labels).toEqual([
      'root',
      'fetch-order',
      'route',
      'approve',
      'escalate',
      'lines',
      'each-line',
      'check-line',
      'summary',
      'fan-out',
      'notify',
      'audit',
    ])
    const route = item('route')
    expect(route.getAttribute('aria-level')).toBe('2')
    expect(route.getAttribute('aria-expanded')).toBe('true')
    expect(route.getAttribute('aria-posinset')).toBe('2')
    expect(route.getAttribute('aria-setsize')).toBe('6')
    expect(route.getAttribute('data-node-type')).toBe('branch')
    expect(
      screen.getByRole('treeitem', {
        name: 'case 2 escalate',
        description: `workflow, version ${child.version.slice(0, 8)}…`,
      }),
    ).toBe(item('escalate'))
    expect(screen.getByRole('treeitem', { name: 'route', description: 'branch, 2 cases' })).toBe(
      route,
    )
    expect(item('each-line').querySelector('.tsr-outline__detail')?.textContent).toBe(
      'foreach, 4 at a time',
    )
    expect(item('notify').getAttribute('aria-expanded')).toBeNull()
    // One tab stop: the first item.
    expect(
      within(tree)
        .getAllByRole('treeitem')
        .filter((element) => element.tabIndex === 0),
    ).toEqual([item('root')])
  })

  it('moves focus with the arrow keys, Home and End, and collapses and expands', () => {
    render(<DefinitionOutline definition={workflow.definition} />)
    item('root').focus()
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' })
    expect(focusedLabel()).toBe('fetch-order')
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' })
    expect(focusedLabel()).toBe('route')
    expect(item('route').tabIndex).toBe(0)
    expect(item('root').tabIndex).toBe(-1)

    fireEvent.keyDown(document.activeElement!, { key: 'ArrowLeft' })
    expect(item('route').getAttribute('aria-expanded')).toBe('false')
    expect(screen.queryByRole('treeitem', { name: /approve/ })).toBeNull()
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' })
    expect(focusedLabel()).toBe('lines')
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' })
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowRight' })
    expect(item('route').getAttribute('aria-expanded')).toBe('true')
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowRight' })
    expect(focusedLabel()).toBe('approve')
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowLeft' })
    expect(focusedLabel()).toBe('route')

    fireEvent.keyDown(document.activeElement!, { key: 'End' })
    expect(focusedLabel()).toBe('audit')
    fireEvent.keyDown(document.activeElement!, { key: 'Home' })
    expect(focusedLabel()).toBe('root')
  })

  it('selects with Enter, Space and click, and calls onSelectNode with the node', () => {
    const onSelectNode = vi.fn()
    render(<DefinitionOutline definition={workflow.definition} onSelectNode={onSelectNode} />)
    item('root').focus()
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' })
    fireEvent.keyDown(document.activeElement!, { key: 'Enter' })
    expect(onSelectNode).toHaveBeenLastCalledWith('fetch-order', {
      type: 'step',
      id: 'fetch-order',
      step: 'fetch-order',
    })
    expect(item('fetch-order').getAttribute('aria-selected')).toBe('true')

    fireEvent.keyDown(document.activeElement!, { key: 'End' })
    fireEvent.keyDown(document.activeElement!, { key: ' ' })
    expect(onSelectNode).toHaveBeenLastCalledWith(
      'audit',
      expect.objectContaining({ type: 'step', step: 'audit' }),
    )
    expect(item('fetch-order').getAttribute('aria-selected')).toBe('false')

    fireEvent.click(item('each-line').querySelector('.tsr-outline__row')!)
    expect(onSelectNode).toHaveBeenLastCalledWith(
      'each-line',
      expect.objectContaining({ type: 'foreach', concurrency: 4 }),
    )
    expect(onSelectNode).toHaveBeenCalledTimes(3)
  })

  it('follows a controlled selectedNodeId, which also sets the tab stop', () => {
    function Controlled() {
      const [selected, setSelected] = useState<string | null>('fan-out')
      return (
        <>
          <DefinitionOutline
            definition={workflow.definition}
            selectedNodeId={selected}
            onSelectNode={(id) => setSelected(id === 'root' ? null : id)}
          />
          <output>{selected ?? 'none'}</output>
        </>
      )
    }
    render(<Controlled />)
    expect(item('fan-out').getAttribute('aria-selected')).toBe('true')
    expect(item('fan-out').tabIndex).toBe(0)
    fireEvent.click(item('approve').querySelector('.tsr-outline__row')!)
    expect(screen.getByRole('status').textContent).toBe('approve')
    expect(item('approve').getAttribute('aria-selected')).toBe('true')
    // The parent may refuse a selection: the outline shows what the prop says.
    fireEvent.click(item('root').querySelector('.tsr-outline__row')!)
    expect(screen.getByRole('status').textContent).toBe('none')
    expect(
      screen
        .getAllByRole('treeitem')
        .filter((element) => element.getAttribute('aria-selected') === 'true'),
    ).toEqual([])
  })

  it('toggles a node with its chevron without selecting it', () => {
    const onSelectNode = vi.fn()
    render(<DefinitionOutline definition={workflow.definition} onSelectNode={onSelectNode} />)
    fireEvent.click(item('fan-out').querySelector('.tsr-outline__toggle')!)
    expect(item('fan-out').getAttribute('aria-expanded')).toBe('false')
    expect(screen.queryByRole('treeitem', { name: /audit/ })).toBeNull()
    expect(onSelectNode).not.toHaveBeenCalled()
  })
})

describe('DefinitionOutline with waits', () => {
  it('shows sleep, event and approval nodes with their settings', () => {
    const waits = createWorkflow({ id: 'with-waits', input: order })
      .sleep('90s', { id: 'cool-off' })
      .waitForEvent('payment.received', { timeout: '2h' })
      .approval({ id: 'manager' })
      .commit()
    render(<DefinitionOutline definition={waits.definition} />)
    const details = screen
      .getAllByRole('treeitem')
      .map((element) => element.textContent ?? '')
      .slice(1)
    expect(details).toEqual([
      expect.stringContaining('cool-off'),
      expect.stringContaining('payment.received'),
      expect.stringContaining('manager'),
    ])
    expect(details[0]).toContain('sleep 90s')
    expect(details[1]).toContain('wait for event, timeout 2h')
    expect(details[2]).toContain('approval')
  })
})
