import { createElement } from 'react'
import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { parseDefinition } from '@tessera/core/definition'
import { DefinitionOutline } from './definition-outline'

describe('DefinitionOutline on the server', () => {
  it('renders to HTML without a DOM', () => {
    const definition = parseDefinition({
      kind: 'tessera.workflow',
      schemaVersion: 1,
      id: 'nightly',
      version: 'v1',
      inputSchema: {},
      root: {
        type: 'sequence',
        id: 'root',
        children: [
          { type: 'step', id: 'export', step: 'export' },
          { type: 'code', id: 'shape', function: 'nightly/shape' },
        ],
      },
    })
    const html = renderToString(
      createElement(DefinitionOutline, { definition, selectedNodeId: 'shape' }),
    )
    expect(typeof document).toBe('undefined')
    expect(html).toContain('role="tree"')
    expect(html).toContain('aria-label="Workflow nightly"')
    expect(html.match(/role="treeitem"/g)).toHaveLength(3)
    expect(html).toMatch(
      /aria-selected="true"[^>]*data-key="root.children\[1\]"|data-key="root.children\[1\]"[^>]*aria-selected="true"/,
    )
  })
})
