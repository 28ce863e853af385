import { renderHook, waitFor } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { describedRegistry, twoSteps } from '../../test/designer-fixtures'
import { toDefinitionGraph } from './definition-graph'
import { replaceNode } from './definition-edits'
import { useDesignerIssues } from './use-designer-issues'

const registry = describedRegistry()
const withGhost = () => {
  const definition = twoSteps()
  const changed = replaceNode(definition, 'notify', { type: 'step', id: 'notify', step: 'ghost' })
  if (!changed.ok) throw new Error(changed.reason)
  return changed.definition
}

describe('useDesignerIssues', () => {
  it('checks a small graph as it renders', () => {
    const definition = withGhost()
    const graph = toDefinitionGraph(definition)
    const { result } = renderHook(() => useDesignerIssues(definition, graph, registry, undefined))
    expect(result.current.get('notify')?.[0]?.message).toMatch(/unknown step "ghost"/)
  })

  it('checks a graph over the limit after it shows, keeping the last problems by node id', async () => {
    const definition = withGhost()
    const graph = toDefinitionGraph(definition)
    const { result, rerender } = renderHook(
      (props) =>
        useDesignerIssues(props.definition, props.graph, registry, undefined, { deferAbove: 1 }),
      { initialProps: { definition, graph } },
    )
    expect(result.current.size).toBe(0)
    await waitFor(() =>
      expect(result.current.get('notify')?.[0]?.message).toMatch(/unknown step "ghost"/),
    )
    const fixed = twoSteps()
    rerender({ definition: fixed, graph: toDefinitionGraph(fixed) })
    expect(result.current.get('notify')).toHaveLength(1)
    await waitFor(() => expect(result.current.get('notify')).toBeUndefined())
  })
})
