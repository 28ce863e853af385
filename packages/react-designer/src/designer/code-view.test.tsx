import { cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { WorkflowDefinition } from '@tessera/core/definition'
import { twoSteps } from '../../test/designer-fixtures'
import { CodeView } from './code-view'

afterEach(cleanup)

describe('CodeView', () => {
  it('shows the TypeScript of a definition, read-only', () => {
    render(<CodeView definition={twoSteps()} />)
    const view = screen.getByTestId('tsr-code-view')
    expect(view.tagName).toBe('PRE')
    expect(view.getAttribute('aria-label')).toBe('TypeScript of workflow small')
    expect(view.textContent).toMatch(/createWorkflow\(/)
  })

  it('says why there is no code for a definition generateCode refuses', () => {
    const broken = { ...twoSteps(), root: { type: 'step', id: 'bad id!', step: 'x' } }
    render(<CodeView definition={broken as WorkflowDefinition} />)
    expect(screen.getByTestId('tsr-code-error').textContent).toMatch(
      /^No code for this definition: .*root\.id/,
    )
  })
})
