import { useState } from 'react'
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { createRegistry, createWorkflow, type AgentV1 } from '@tessera/core'
import { parseDefinition, type WorkflowDefinition } from '@tessera/core/definition'
import { fetchOrder, order } from '../../test/steps'
import { twoSteps } from '../../test/designer-fixtures'
import { recordRun } from '../run-viewer/run-fixtures'
import { runNodeViews } from '../run-viewer/run-node-views'
import { runStateFromEvents } from '../run-viewer/run-state'
import { nodeFormSchema } from './node-form-schema'
import { paletteItems } from './palette-items'
import { WorkflowDesigner } from './workflow-designer'

afterEach(cleanup)

const reviewer: AgentV1<z.infer<typeof order>, { verdict: string }> = {
  specificationVersion: 'v1',
  kind: 'agent',
  id: 'reviewer',
  description: 'Reviews the order',
  input: order,
  output: z.object({ verdict: z.string() }),
  run: async () => ({ verdict: 'fine' }),
}

function describedWithAgent() {
  const registry = createRegistry()
  registry.addStep(fetchOrder)
  registry.addAgent(reviewer)
  return registry.describe()
}
const registry = describedWithAgent()

function Controlled(props: {
  initial: WorkflowDefinition
  onChange: (definition: WorkflowDefinition) => void
}) {
  const [definition, setDefinition] = useState(props.initial)
  return (
    <WorkflowDesigner
      registry={registry}
      value={definition}
      onChange={(next) => {
        props.onChange(next)
        setDefinition(next)
      }}
    />
  )
}

const withAgent = (agent: string) =>
  parseDefinition({
    ...twoSteps(),
    root: {
      type: 'sequence',
      id: 'root',
      children: [
        { type: 'step', id: 'fetch-order', step: 'fetch-order' },
        { type: 'agent', id: 'review', agent },
      ],
    },
  })

const lastDefinition = (onChange: ReturnType<typeof vi.fn>) =>
  onChange.mock.calls.at(-1)?.[0] as WorkflowDefinition | undefined

describe('agents in the designer', () => {
  it('lists the registered agents under Agents, with their schemas', () => {
    const items = paletteItems(registry).filter((item) => item.category === 'Agents')
    expect(items.map((item) => [item.key, item.label, item.description])).toEqual([
      ['agent:reviewer', 'reviewer', 'Reviews the order'],
    ])
    expect(items[0]!.output).toMatchObject({ properties: { verdict: { type: 'string' } } })
    render(<WorkflowDesigner registry={registry} defaultValue={twoSteps()} />)
    const palette = screen.getByTestId('tsr-palette')
    expect(within(palette).getByRole('heading', { name: 'Agents' })).toBeTruthy()
    expect(screen.getByTestId('tsr-palette-item-agent:reviewer').textContent).toContain('reviewer')
  })

  it('offers the registered agents, retry and timeout in the form', () => {
    const schema = nodeFormSchema({ type: 'agent', id: 'review', agent: 'reviewer' }, registry)
    expect(schema).toMatchObject({
      required: ['id', 'agent'],
      properties: {
        agent: { enum: ['reviewer'] },
        timeoutMs: { type: 'integer' },
        retry: { type: 'object' },
      },
    })
  })

  it('places an agent from the palette, shows its schemas, and sets a timeout through the form', async () => {
    const onChange = vi.fn()
    render(<Controlled initial={twoSteps()} onChange={onChange} />)
    fireEvent.click(screen.getByTestId('tsr-node-fetch-order'))
    fireEvent.click(screen.getByTestId('tsr-palette-item-agent:reviewer'))
    expect(lastDefinition(onChange)?.root).toMatchObject({
      children: [
        { id: 'fetch-order' },
        { type: 'agent', id: 'reviewer', agent: 'reviewer' },
        { id: 'notify' },
      ],
    })
    const node = screen.getByTestId('tsr-node-reviewer')
    expect(node.dataset.invalid).toBeUndefined()
    fireEvent.click(node)
    expect(screen.getByTestId('tsr-component-schemas').textContent).toContain('verdict')
    const form = screen.getByTestId('tsr-properties')
    fireEvent.change(within(form).getByLabelText(/^Timeout/), { target: { value: '5000' } })
    fireEvent.click(within(form).getByTestId('tsr-properties-apply'))
    await waitFor(() =>
      expect(lastDefinition(onChange)?.root).toMatchObject({
        children: [{}, { id: 'reviewer', agent: 'reviewer', timeoutMs: 5000 }, {}],
      }),
    )
  })

  it('shows an unknown agent on the node, with the known agents', () => {
    render(<WorkflowDesigner registry={registry} defaultValue={withAgent('translator')} />)
    expect(screen.getByTestId('tsr-node-review').dataset.invalid).toBe('true')
    expect(screen.getByTestId('tsr-node-issue-review').textContent).toBe(
      'unknown agent "translator"; known: "reviewer"',
    )
  })

  it('the run viewer follows an agent node', async () => {
    const workflow = createWorkflow({ id: 'agent-review', input: order }).agent(reviewer).commit()
    const views = runNodeViews(
      workflow.definition,
      runStateFromEvents(await recordRun(workflow, { id: 'A1', total: 5 })),
    )
    expect(views.get('reviewer')?.status).toBe('succeeded')
  })
})
