// The jsdom-react18 project really runs React 18: the designer's sources, the Testing Library
// and @xyflow/react all see the same React 18 copy (two copies would break hooks).
import { createElement, version } from 'react'
import { version as domVersion } from 'react-dom'
import { render } from '@testing-library/react'
import { ReactFlowProvider, useNodesInitialized } from '@xyflow/react'
import { describe, expect, it } from 'vitest'

function NodesInitialized() {
  return createElement('span', { 'data-testid': 'initialized' }, String(useNodesInitialized()))
}

describe('React 18 project', () => {
  it('loads React 18 and react-dom 18', () => {
    expect(version).toMatch(/^18\./)
    expect(domVersion).toMatch(/^18\./)
  })

  it('renders an @xyflow/react hook through the Testing Library with that one copy', () => {
    const view = render(createElement(ReactFlowProvider, null, createElement(NodesInitialized)))
    expect(view.getByTestId('initialized').textContent).toBe('false')
  })
})
