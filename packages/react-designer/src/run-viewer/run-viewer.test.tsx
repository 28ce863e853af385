import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { renderToString } from 'react-dom/server'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { createStep, createWorkflow } from '@tessera/core'
import { fetchOrder, order } from '../../test/steps'
import { recordRun, reviewWorkflow } from './run-fixtures'
import { RunViewer } from './run-viewer'

// jsdom has no layout: the browser APIs xyflow measures with, as xyflow's testing guide shows.
beforeAll(() => {
  class ResizeObserverShim {
    constructor(private readonly callback: ResizeObserverCallback) {}
    observe(target: Element) {
      this.callback([{ target } as ResizeObserverEntry], this as unknown as ResizeObserver)
    }
    unobserve() {}
    disconnect() {}
  }
  class DOMMatrixReadOnlyShim {
    m22: number
    constructor(transform?: string) {
      const scale = transform?.match(/scale\(([1-9.]+)\)/)?.[1]
      this.m22 = scale === undefined ? 1 : Number(scale)
    }
  }
  vi.stubGlobal('ResizeObserver', ResizeObserverShim)
  vi.stubGlobal('DOMMatrixReadOnly', DOMMatrixReadOnlyShim)
  Object.defineProperties(HTMLElement.prototype, {
    offsetHeight: { configurable: true, get: () => 64 },
    offsetWidth: { configurable: true, get: () => 220 },
  })
})

afterEach(cleanup)

const node = (id: string) => screen.getByTestId(`tsr-node-${id}`)

describe('RunViewer', () => {
  it('shows each node of the definition with its status as events arrive', async () => {
    const events = await recordRun(reviewWorkflow, { id: 'A1' })
    const { rerender } = render(
      <RunViewer definition={reviewWorkflow.definition} run={{ events: [] }} />,
    )
    expect(screen.getByTestId('run-status').textContent).toContain('pending')
    for (const id of ['fetch-order', 'approve', 'notify'])
      expect(node(id).getAttribute('data-status')).toBe('pending')

    const cut = events.findIndex((event) => event.type === 'step-start' && event.key === 'approve')
    rerender(
      <RunViewer
        definition={reviewWorkflow.definition}
        run={{ events: events.slice(0, cut + 1) }}
      />,
    )
    expect(node('fetch-order').getAttribute('data-status')).toBe('succeeded')
    expect(node('approve').getAttribute('data-status')).toBe('running')
    expect(node('notify').getAttribute('data-status')).toBe('pending')
    expect(screen.getByTestId('run-status').textContent).toContain('running')

    rerender(<RunViewer definition={reviewWorkflow.definition} run={{ events }} />)
    for (const id of ['fetch-order', 'approve', 'notify'])
      expect(node(id).getAttribute('data-status')).toBe('succeeded')
    expect(
      screen.getByRole('region', { name: 'Run of review' }).getAttribute('data-run-status'),
    ).toBe('succeeded')
  })

  it('opens a node: its input, output and timing; closes again', async () => {
    const events = await recordRun(reviewWorkflow, { id: 'A1' })
    const onSelectNode = vi.fn()
    render(
      <RunViewer
        definition={reviewWorkflow.definition}
        run={{ events }}
        onSelectNode={onSelectNode}
      />,
    )
    expect(screen.queryByTestId('run-details')).toBeNull()
    await act(async () => {
      fireEvent.click(node('fetch-order'))
    })
    const details = screen.getByTestId('run-details')
    expect(onSelectNode).toHaveBeenLastCalledWith('fetch-order')
    expect(within(details).getByRole('heading', { level: 3 }).textContent).toBe('fetch-order')
    const blocks = within(details)
      .getAllByRole('group')
      .map((block) => block.textContent)
    expect(blocks.some((text) => text?.startsWith('Input') && text.includes('"id": "A1"'))).toBe(
      true,
    )
    expect(blocks.some((text) => text?.startsWith('Output') && text.includes('"total": 10'))).toBe(
      true,
    )
    expect(details.textContent).toMatch(/Duration\d+ ms/)
    fireEvent.click(within(details).getByRole('button', { name: 'Close' }))
    expect(screen.queryByTestId('run-details')).toBeNull()
    expect(onSelectNode).toHaveBeenLastCalledWith(null)
  })

  it('opens a node from the keyboard: Enter on the focused canvas node', async () => {
    const events = await recordRun(reviewWorkflow, { id: 'A1' })
    render(<RunViewer definition={reviewWorkflow.definition} run={{ events }} />)
    const wrapper = node('approve').closest('.react-flow__node') as HTMLElement
    expect(wrapper.getAttribute('aria-label')).toContain('succeeded')
    wrapper.focus()
    await act(async () => {
      fireEvent.keyDown(wrapper, { key: 'Enter' })
    })
    expect(
      within(screen.getByTestId('run-details')).getByRole('heading', { level: 3 }).textContent,
    ).toBe('approve')
  })

  it('shows a failed step with its error and attempts', async () => {
    const broken = createStep({
      id: 'charge',
      input: order,
      output: order,
      retry: { attempts: 2, backoff: { type: 'fixed', initial: 1 } },
      run: () => {
        throw new Error('card declined')
      },
    })
    const workflow = createWorkflow({ id: 'checkout', input: z.object({ id: z.string() }) })
      .then(fetchOrder)
      .then(broken)
      .commit()
    const events = await recordRun(workflow, { id: 'A1' })
    render(<RunViewer definition={workflow.definition} run={{ events }} selectedNodeId="charge" />)
    expect(node('charge').getAttribute('data-status')).toBe('failed')
    expect(node('charge').textContent).toContain('2 attempts')
    expect(screen.getByTestId('run-status').textContent).toContain('failed')
    const details = screen.getByTestId('run-details')
    expect(details.getAttribute('data-status')).toBe('failed')
    expect(details.textContent).toContain('card declined')
  })

  it("takes the run's status from the host when given (a store's record) over the events'", async () => {
    const events = await recordRun(reviewWorkflow, { id: 'A1' })
    const cut = events.findIndex((event) => event.type === 'step-end')
    render(
      <RunViewer
        definition={reviewWorkflow.definition}
        run={{ events: events.slice(0, cut + 1), status: 'cancelled' }}
      />,
    )
    expect(screen.getByTestId('run-status').textContent).toContain('cancelled')
    expect(node('fetch-order').getAttribute('data-status')).toBe('succeeded')
    expect(node('notify').getAttribute('data-status')).toBe('pending')
  })

  it('renders on the server without a browser', () => {
    const html = renderToString(
      <RunViewer definition={reviewWorkflow.definition} run={{ events: [] }} />,
    )
    expect(html).toContain('tsr-run-viewer')
  })
})
