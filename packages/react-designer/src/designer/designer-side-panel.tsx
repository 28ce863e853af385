import { useMemo, useState, type ReactElement } from 'react'
import type { DefinitionNode, WorkflowDefinition } from '@tessera/core/definition'
import { CodeView } from './code-view'
import { componentSchemas } from './component-schemas'
import type { NodeIssue } from './definition-graph'
import type { DesignerRegistry } from './designer-registry'
import { PropertiesPanel } from './properties-panel'

/** Props of {@link DesignerSidePanel}. */
export interface DesignerSidePanelProps {
  definition: WorkflowDefinition
  node: DefinitionNode | undefined
  registry: DesignerRegistry
  readOnly: boolean
  /** Problems of the workflow itself (not of one node). */
  workflowIssues: readonly NodeIssue[]
  onApplyNode: (nodeId: string, node: DefinitionNode) => void
  onApplyWorkflow: (settings: { id: string; description?: string }) => void
}

type Tab = 'properties' | 'json' | 'code'
const tabs: { id: Tab; label: string }[] = [
  { id: 'properties', label: 'Properties' },
  { id: 'json', label: 'JSON' },
  { id: 'code', label: 'Code' },
]

/**
 * The designer's side panel: tabs with the properties form (and the workflow's problems), the
 * definition's JSON and its TypeScript, both read-only.
 *
 * @example
 * ```tsx
 * <DesignerSidePanel definition={definition} node={selected} registry={registry} readOnly={false} workflowIssues={[]} … />
 * ```
 */
export function DesignerSidePanel(props: DesignerSidePanelProps): ReactElement {
  const { definition, workflowIssues } = props
  const [tab, setTab] = useState<Tab>('properties')
  const json = useMemo(
    () => (tab === 'json' ? JSON.stringify(definition, null, 2) : ''),
    [definition, tab],
  )
  return (
    <aside className="tsr-designer__side" aria-label="Details">
      <div className="tsr-tabs" role="tablist" aria-label="Details">
        {tabs.map((entry) => (
          <button
            key={entry.id}
            type="button"
            role="tab"
            className="tsr-tab"
            aria-selected={tab === entry.id}
            onClick={() => setTab(entry.id)}
            data-testid={`tsr-tab-${entry.id}`}
          >
            {entry.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" aria-label={tabs.find((entry) => entry.id === tab)?.label}>
        {tab === 'properties' ? (
          <>
            <PropertiesPanel
              definition={definition}
              node={props.node}
              registry={props.registry}
              readOnly={props.readOnly}
              onApplyNode={props.onApplyNode}
              onApplyWorkflow={props.onApplyWorkflow}
            />
            {props.node ? <ComponentSchemas node={props.node} registry={props.registry} /> : null}
            {workflowIssues.length > 0 ? (
              <ul
                className="tsr-designer__issues"
                aria-label="Problems of the workflow"
                data-testid="tsr-workflow-issues"
              >
                {workflowIssues.map((issue, index) => (
                  <li key={index}>
                    {issue.path ? `${issue.path}: ` : ''}
                    {issue.message}
                  </li>
                ))}
              </ul>
            ) : null}
          </>
        ) : tab === 'json' ? (
          <pre
            className="tsr-code"
            data-testid="tsr-json-view"
            tabIndex={0}
            aria-label={`JSON of workflow ${definition.id}`}
          >
            {json}
          </pre>
        ) : (
          <CodeView definition={definition} />
        )}
      </div>
    </aside>
  )
}

/** The registry's input and output JSON Schemas of a step or subworkflow node, read-only. */
function ComponentSchemas(props: {
  node: DefinitionNode
  registry: DesignerRegistry
}): ReactElement | null {
  const schemas = componentSchemas(props.node, props.registry)
  if (!schemas.input && !schemas.output) return null
  return (
    <details className="tsr-properties__schemas" data-testid="tsr-component-schemas">
      <summary>Input and output</summary>
      {(['input', 'output'] as const).map((kind) =>
        schemas[kind] ? (
          <div key={kind}>
            <div className="tsr-properties__schema-title">
              {kind === 'input' ? 'Input' : 'Output'}
            </div>
            <pre
              className="tsr-code"
              tabIndex={0}
              aria-label={`${kind === 'input' ? 'Input' : 'Output'} JSON Schema`}
            >
              {JSON.stringify(schemas[kind], null, 2)}
            </pre>
          </div>
        ) : null,
      )}
    </details>
  )
}
