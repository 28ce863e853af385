import { useState } from 'react'
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { parseDefinition, type WorkflowDefinition } from '@tessera/core/definition'
import { describedRegistry, orderReview, twoSteps } from '../../test/designer-fixtures'
import { WorkflowDesigner } from './workflow-designer'

afterEach(cleanup)

const registry = describedRegistry()

function Controlled(props: {
  initial: WorkflowDefinition
  onChange: (definition: WorkflowDefinition) => void
  readOnly?: boolean
}) {
  const [definition, setDefinition] = useState(props.initial)
  return (
    <WorkflowDesigner
      registry={registry}
      value={definition}
      readOnly={props.readOnly}
      onChange={(next) => {
        props.onChange(next)
        setDefinition(next)
      }}
    />
  )
}

const rootIds = (definition: WorkflowDefinition | undefined) =>
  definition?.root.type === 'sequence' ? definition.root.children.map((child) => child.id) : []
const node = (id: string) => screen.getByTestId(`tsr-node-${id}`)
const select = (id: string) => fireEvent.click(node(id))
const lastDefinition = (onChange: ReturnType<typeof vi.fn>) =>
  onChange.mock.calls.at(-1)?.[0] as WorkflowDefinition | undefined

describe('WorkflowDesigner', () => {
  it('draws the definition and lists the palette by category', async () => {
    render(<WorkflowDesigner registry={registry} defaultValue={twoSteps()} />)
    expect(node('fetch-order')).toHaveProperty(
      'textContent',
      expect.stringContaining('fetch-order'),
    )
    expect(node('notify').dataset.nodeKind).toBe('step')
    expect(screen.getByTestId('tsr-handle-out-fetch-order')).toBeTruthy()
    const palette = screen.getByTestId('tsr-palette')
    expect(within(palette).getByRole('heading', { name: 'Steps' })).toBeTruthy()
    expect(within(palette).getByRole('heading', { name: 'Control' })).toBeTruthy()
    fireEvent.change(screen.getByTestId('tsr-palette-search'), { target: { value: 'approv' } })
    expect(
      within(palette)
        .getAllByRole('button')
        .map((button) => button.textContent),
    ).toEqual(['approve', 'Approval'])
    expect(screen.getByRole('region', { name: 'Workflow designer' })).toBeTruthy()
  })

  it('adds the chosen component after the selected node and hands onChange a valid definition', () => {
    const onChange = vi.fn()
    render(<Controlled initial={twoSteps()} onChange={onChange} />)
    select('fetch-order')
    fireEvent.click(screen.getByTestId('tsr-palette-item-step:audit'))
    const definition = lastDefinition(onChange)
    expect(rootIds(definition)).toEqual(['fetch-order', 'audit', 'notify'])
    expect(parseDefinition(definition)).toEqual(definition)
    expect(node('audit')).toBeTruthy()
  })

  it('refuses a component whose input does not fit the output before it, saying why', () => {
    const onChange = vi.fn()
    render(<Controlled initial={twoSteps()} onChange={onChange} />)
    select('notify')
    fireEvent.click(screen.getByTestId('tsr-palette-item-step:approve'))
    expect(onChange).not.toHaveBeenCalled()
    expect(screen.getByRole('alert').textContent).toBe(
      '"approve" cannot follow "notify": expected a property "id", which the output lacks',
    )
  })

  it('drops a palette item dragged with the pointer onto a node', () => {
    const onChange = vi.fn()
    render(<Controlled initial={twoSteps()} onChange={onChange} />)
    const item = screen.getByTestId('tsr-palette-item-control:sleep')
    fireEvent.pointerDown(item, { button: 0, clientX: 10, clientY: 10 })
    fireEvent.pointerMove(window, { clientX: 200, clientY: 200 })
    expect(screen.getByTestId('tsr-palette-ghost').textContent).toBe('Sleep')
    fireEvent.pointerUp(node('notify'), { clientX: 300, clientY: 300 })
    fireEvent.click(item)
    expect(onChange).toHaveBeenCalledTimes(1)
    expect(rootIds(lastDefinition(onChange))).toEqual(['fetch-order', 'notify', 'sleep'])
    expect(screen.queryByTestId('tsr-palette-ghost')).toBeNull()
  })

  it('deletes with the Delete key, undoes and redoes with Ctrl+Z and Shift+Ctrl+Z', () => {
    const onChange = vi.fn()
    render(<Controlled initial={twoSteps()} onChange={onChange} />)
    select('notify')
    fireEvent.keyDown(node('notify'), { key: 'Delete' })
    expect(rootIds(lastDefinition(onChange))).toEqual(['fetch-order'])
    expect(screen.queryByTestId('tsr-node-notify')).toBeNull()
    fireEvent.keyDown(node('fetch-order'), { key: 'z', ctrlKey: true })
    expect(rootIds(lastDefinition(onChange))).toEqual(['fetch-order', 'notify'])
    fireEvent.keyDown(node('fetch-order'), { key: 'Z', ctrlKey: true, shiftKey: true })
    expect(rootIds(lastDefinition(onChange))).toEqual(['fetch-order'])
    fireEvent.click(screen.getByTestId('tsr-action-undo'))
    expect(rootIds(lastDefinition(onChange))).toEqual(['fetch-order', 'notify'])
  })

  it('copies and pastes a node with fresh ids', () => {
    const onChange = vi.fn()
    render(<Controlled initial={twoSteps()} onChange={onChange} />)
    select('fetch-order')
    fireEvent.keyDown(node('fetch-order'), { key: 'c', ctrlKey: true })
    expect(screen.getByRole('status').textContent).toBe('Copied "fetch-order"')
    fireEvent.keyDown(node('fetch-order'), { key: 'v', ctrlKey: true })
    expect(rootIds(lastDefinition(onChange))).toEqual(['fetch-order', 'fetch-order-2', 'notify'])
    select('notify')
    fireEvent.keyDown(node('notify'), { key: 'v', ctrlKey: true })
    expect(screen.getByRole('alert').textContent).toContain('cannot follow "notify"')
  })

  it('moves the selection between nodes with the arrow keys', () => {
    render(<WorkflowDesigner registry={registry} defaultValue={twoSteps()} />)
    select('fetch-order')
    fireEvent.keyDown(node('fetch-order'), { key: 'ArrowDown' })
    expect(document.activeElement?.getAttribute('data-id')).toBe('notify')
    expect(
      (within(screen.getByTestId('tsr-properties')).getByLabelText(/Node id/) as HTMLInputElement)
        .value,
    ).toBe('notify')
  })

  it("edits the selected node's settings through its generated form", async () => {
    const onChange = vi.fn()
    render(<Controlled initial={twoSteps()} onChange={onChange} />)
    select('notify')
    const form = screen.getByTestId('tsr-properties')
    fireEvent.change(within(form).getByLabelText(/Timeout \(ms\)/), { target: { value: '5000' } })
    fireEvent.click(within(form).getByTestId('tsr-properties-apply'))
    await waitFor(() => expect(onChange).toHaveBeenCalled())
    const changed = lastDefinition(onChange)!
    expect(changed.root.type === 'sequence' && changed.root.children[1]).toEqual({
      type: 'step',
      id: 'notify',
      step: 'notify',
      timeoutMs: 5000,
    })
  })

  it('shows a form error inline and does not apply it', async () => {
    const onChange = vi.fn()
    render(<Controlled initial={twoSteps()} onChange={onChange} />)
    select('notify')
    const form = screen.getByTestId('tsr-properties')
    fireEvent.change(within(form).getByLabelText(/Node id/), { target: { value: 'bad id!' } })
    fireEvent.click(within(form).getByTestId('tsr-properties-apply'))
    await waitFor(() => expect(form.textContent).toContain('must match pattern'))
    expect(onChange).not.toHaveBeenCalled()
  })

  it('shows problems on the nodes they point at', () => {
    render(
      <WorkflowDesigner
        registry={registry}
        defaultValue={twoSteps()}
        issues={[{ path: 'root.children[1].step', message: 'unknown step "notify"' }]}
      />,
    )
    expect(screen.getByTestId('tsr-node-issue-notify').textContent).toBe('unknown step "notify"')
    expect(screen.getByTestId('tsr-node-badge-notify').getAttribute('aria-label')).toBe('1 problem')
    expect(node('notify').dataset.invalid).toBe('true')
    expect(node('fetch-order').dataset.invalid).toBeUndefined()
  })

  it('changes nothing when read-only', () => {
    const onChange = vi.fn()
    render(<Controlled initial={twoSteps()} onChange={onChange} readOnly />)
    expect(screen.queryByTestId('tsr-palette')).toBeNull()
    select('notify')
    fireEvent.keyDown(node('notify'), { key: 'Delete' })
    expect(onChange).not.toHaveBeenCalled()
    expect(node('notify')).toBeTruthy()
  })

  it('starts an empty workflow when given no definition and shows the JSON', async () => {
    const onChange = vi.fn()
    render(<WorkflowDesigner registry={registry} onChange={onChange} />)
    expect(node('root#empty').dataset.nodeKind).toBe('placeholder')
    fireEvent.click(screen.getByTestId('tsr-palette-item-step:fetch-order'))
    expect(rootIds(lastDefinition(onChange))).toEqual(['fetch-order'])
    fireEvent.click(screen.getByTestId('tsr-tab-json'))
    expect(JSON.parse(screen.getByTestId('tsr-json-view').textContent ?? '')).toEqual(
      lastDefinition(onChange),
    )
    await act(async () => {})
  })

  it('shows the generated TypeScript of the current definition', () => {
    const onChange = vi.fn()
    render(<Controlled initial={twoSteps()} onChange={onChange} />)
    fireEvent.click(screen.getByTestId('tsr-tab-code'))
    const code = screen.getByTestId('tsr-code-view').textContent ?? ''
    expect(code).toContain('createWorkflow(')
    expect(code).toContain("'fetch-order'")
    expect(code).toContain('.commit()')
    select('notify')
    fireEvent.click(screen.getByTestId('tsr-palette-item-control:sleep'))
    expect(onChange).toHaveBeenCalledTimes(1)
    expect(screen.getByTestId('tsr-code-view').textContent).toMatch(/\.sleep\(/)
  })

  it('follows colorMode and keeps two designers apart', () => {
    render(
      <>
        <WorkflowDesigner
          registry={registry}
          defaultValue={twoSteps()}
          colorMode="dark"
          aria-label="First"
        />
        <WorkflowDesigner registry={registry} defaultValue={twoSteps()} aria-label="Second" />
      </>,
    )
    const first = screen.getByRole('region', { name: 'First' })
    const second = screen.getByRole('region', { name: 'Second' })
    expect(first.dataset.colorMode).toBe('dark')
    expect(second.dataset.colorMode).toBe('light')
    fireEvent.click(within(first).getByTestId('tsr-node-notify'))
    fireEvent.keyDown(within(first).getByTestId('tsr-node-notify'), { key: 'Delete' })
    expect(within(first).queryByTestId('tsr-node-notify')).toBeNull()
    expect(within(second).getByTestId('tsr-node-notify')).toBeTruthy()
    const ids = Array.from(document.querySelectorAll('[id]')).map((element) => element.id)
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([])
  })

  it('settles after an edit while the new layout is still running', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    try {
      const onChange = vi.fn()
      render(<Controlled initial={twoSteps()} onChange={onChange} />)
      // The first layout is done: the designer fitted the view once.
      await waitFor(() => expect(node('fetch-order')).toBeTruthy())
      await act(() => new Promise((resolve) => setTimeout(resolve, 50)))
      select('notify')
      fireEvent.click(screen.getByTestId('tsr-palette-item-control:sleep'))
      await act(() => new Promise((resolve) => setTimeout(resolve, 50)))
      expect(node('sleep')).toBeTruthy()
      expect(errors).not.toHaveBeenCalled()
    } finally {
      errors.mockRestore()
    }
  })

  it("shows validateDefinition's problems against the registry, and clears them once fixed", async () => {
    const onChange = vi.fn()
    const definition = parseDefinition({
      ...twoSteps(),
      root: {
        type: 'sequence',
        id: 'root',
        children: [
          { type: 'step', id: 'fetch-order', step: 'fetch-order' },
          { type: 'step', id: 'ghost', step: 'ghost' },
        ],
      },
    })
    render(<Controlled initial={definition} onChange={onChange} />)
    expect(screen.getByTestId('tsr-node-issue-ghost').textContent).toMatch(/unknown step "ghost"/)
    expect(node('ghost').dataset.invalid).toBe('true')
    expect(
      screen.getByRole('group', { name: /^step ghost, 1 problem: unknown step "ghost"/ }),
    ).toBeTruthy()
    select('ghost')
    const form = screen.getByTestId('tsr-properties')
    const stepField = within(form).getByLabelText(/^Step/)
    // rjsf's select options carry indexes as values: pick the option by its text.
    const option = within(stepField).getByRole('option', { name: 'notify' }) as HTMLOptionElement
    fireEvent.change(stepField, { target: { value: option.value } })
    fireEvent.click(within(form).getByTestId('tsr-properties-apply'))
    await waitFor(() => expect(onChange).toHaveBeenCalled())
    expect(screen.queryByTestId('tsr-node-issue-ghost')).toBeNull()
    expect(node('ghost').dataset.invalid).toBeUndefined()
  })

  it('edits, undoes and redoes uncontrolled, telling onChange each time', () => {
    const onChange = vi.fn()
    render(<WorkflowDesigner registry={registry} defaultValue={twoSteps()} onChange={onChange} />)
    select('fetch-order')
    fireEvent.click(screen.getByTestId('tsr-palette-item-control:approval'))
    expect(node('approval').dataset.nodeKind).toBe('approval')
    fireEvent.click(screen.getByTestId('tsr-action-undo'))
    expect(screen.queryByTestId('tsr-node-approval')).toBeNull()
    expect(rootIds(lastDefinition(onChange))).toEqual(['fetch-order', 'notify'])
    fireEvent.click(screen.getByTestId('tsr-action-redo'))
    expect(node('approval')).toBeTruthy()
    expect(rootIds(lastDefinition(onChange))).toEqual(['fetch-order', 'approval', 'notify'])
    expect(onChange).toHaveBeenCalledTimes(3)
    expect((screen.getByTestId('tsr-action-redo') as HTMLButtonElement).disabled).toBe(true)
  })

  it('says why a palette item cannot be added', () => {
    const onChange = vi.fn()
    render(<Controlled initial={twoSteps()} onChange={onChange} />)
    fireEvent.click(screen.getByTestId('tsr-palette-item-step:check-line'))
    expect(screen.getByRole('alert').textContent).toBe(
      '"check-line" cannot follow "notify": expected string, got object',
    )
    expect(onChange).not.toHaveBeenCalled()
  })

  it('adds into a container dropped on, and after it when dropped on its end', () => {
    const onChange = vi.fn()
    render(<Controlled initial={orderReview.definition} onChange={onChange} />)
    const children = () => {
      const root = lastDefinition(onChange)!.root
      return root.type === 'sequence' ? root.children : []
    }
    select('fan-out')
    fireEvent.click(screen.getByTestId('tsr-palette-item-control:sleep'))
    const fanOut = children().find((child) => child.id === 'fan-out')
    expect(fanOut?.type === 'parallel' && Object.keys(fanOut.branches)).toEqual([
      'notify',
      'audit',
      'sleep',
    ])
    select('route')
    fireEvent.click(screen.getByTestId('tsr-palette-item-control:approval'))
    const route = children().find((child) => child.id === 'route')
    expect(route?.type === 'branch' && route.cases.map((entry) => entry.then.id)).toEqual([
      'approve',
      'escalate',
      'approval',
    ])
    select('fan-out#end')
    expect(
      (within(screen.getByTestId('tsr-properties')).getByLabelText(/Node id/) as HTMLInputElement)
        .value,
    ).toBe('fan-out')
    fireEvent.click(screen.getByTestId('tsr-palette-item-control:event'))
    expect(
      children()
        .map((child) => child.id)
        .slice(-2),
    ).toEqual(['fan-out', 'wait-for-event'])
  })

  it('selects a focused node with Enter and reports the selection', () => {
    const onSelectionChange = vi.fn()
    render(
      <WorkflowDesigner
        registry={registry}
        defaultValue={twoSteps()}
        onSelectionChange={onSelectionChange}
      />,
    )
    const wrapper = screen.getByRole('group', { name: 'step notify' })
    expect(wrapper.tabIndex).toBe(0)
    wrapper.focus()
    fireEvent.keyDown(wrapper, { key: 'Enter' })
    expect(onSelectionChange).toHaveBeenLastCalledWith('notify')
    expect(node('notify').dataset.selected).toBe('true')
    fireEvent.keyDown(wrapper, { key: 'Escape' })
    expect(onSelectionChange).toHaveBeenLastCalledWith(null)
  })

  it("shows the selected step's input and output schemas from the registry", () => {
    render(<WorkflowDesigner registry={registry} defaultValue={twoSteps()} />)
    expect(screen.queryByTestId('tsr-component-schemas')).toBeNull()
    select('notify')
    const schemas = screen.getByTestId('tsr-component-schemas')
    const output = within(schemas).getByLabelText('Output JSON Schema')
    expect(JSON.parse(output.textContent ?? '')).toMatchObject({
      properties: { sent: { type: 'boolean' } },
    })
  })

  it('appends an item dropped on the canvas background and ignores one dropped elsewhere', () => {
    const onChange = vi.fn()
    render(<Controlled initial={twoSteps()} onChange={onChange} />)
    const drag = (target: Element) => {
      const item = screen.getByTestId('tsr-palette-item-control:approval')
      fireEvent.pointerDown(item, { button: 0, clientX: 10, clientY: 10 })
      fireEvent.pointerMove(window, { clientX: 100, clientY: 100 })
      fireEvent.pointerUp(target, { clientX: 300, clientY: 300 })
    }
    drag(document.body)
    expect(onChange).not.toHaveBeenCalled()
    drag(screen.getByTestId('tsr-canvas'))
    expect(rootIds(lastDefinition(onChange))).toEqual(['fetch-order', 'notify', 'approval'])
  })
})
