import { createElement } from 'react'
import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { describedRegistry, twoSteps } from '../../test/designer-fixtures'
import { WorkflowDesigner } from './workflow-designer'

describe('WorkflowDesigner on the server', () => {
  it('renders to HTML without a DOM', () => {
    const html = renderToString(
      createElement(WorkflowDesigner, { registry: describedRegistry(), value: twoSteps() }),
    )
    expect(typeof document).toBe('undefined')
    expect(html).toContain('data-testid="tsr-designer"')
    expect(html).toContain('data-testid="tsr-palette-item-step:fetch-order"')
    expect(html).toContain('data-testid="tsr-properties"')
  })
})
