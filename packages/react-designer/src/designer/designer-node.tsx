import { memo, type ReactElement } from 'react'
import { Handle, Position, type NodeProps } from '@xyflow/react'
import type { DesignerFlowNode } from './flow-elements'

const kindLabels: Record<string, string> = {
  step: 'Step',
  code: 'Code',
  workflow: 'Subworkflow',
  sequence: 'Sequence',
  parallel: 'Parallel',
  branch: 'Branch',
  foreach: 'For each',
  loop: 'Loop',
  sleep: 'Sleep',
  event: 'Wait for event',
  approval: 'Approval',
  placeholder: 'Empty',
}

/**
 * The canvas node of the designer and the run viewer: kind, label and detail, inline problems
 * (a badge and the first message) and, when given, a run status. An input handle on top, an
 * output handle below (`data-testid` `tsr-handle-in-<id>` and `tsr-handle-out-<id>`).
 *
 * @example
 * ```tsx
 * <ReactFlow nodeTypes={{ tessera: DesignerNode }} nodes={nodes} edges={edges} />
 * ```
 */
export const DesignerNode = memo(function DesignerNode(
  props: NodeProps<DesignerFlowNode>,
): ReactElement {
  const { graphNode, issues, status, note } = props.data
  const handles = (
    <>
      <Handle
        type="target"
        position={Position.Top}
        isConnectable={props.isConnectable}
        data-testid={`tsr-handle-in-${graphNode.id}`}
      />
      <Handle
        type="source"
        position={Position.Bottom}
        isConnectable={props.isConnectable}
        data-testid={`tsr-handle-out-${graphNode.id}`}
      />
    </>
  )
  if (graphNode.kind === 'join')
    return (
      <div
        className="tsr-node tsr-node--join"
        data-testid={`tsr-node-${graphNode.id}`}
        data-node-kind="join"
      >
        {handles}
      </div>
    )
  return (
    <div
      className="tsr-node"
      data-testid={`tsr-node-${graphNode.id}`}
      data-node-kind={graphNode.kind}
      data-tsr-node-id={graphNode.id}
      data-selected={props.selected ? 'true' : undefined}
      data-invalid={
        issues.some((issue) => issue.severity !== 'warning')
          ? 'true'
          : issues.length > 0
            ? 'warning'
            : undefined
      }
      data-status={status}
    >
      {handles}
      <div className="tsr-node__header">
        <span className="tsr-node__kind">{kindLabels[graphNode.kind] ?? graphNode.kind}</span>
        {status ? <span className="tsr-node__status">{status}</span> : null}
        {issues.length > 0 ? (
          <span
            className="tsr-node__badge"
            role="img"
            aria-label={`${issues.length} problem${issues.length === 1 ? '' : 's'}`}
            data-testid={`tsr-node-badge-${graphNode.id}`}
          >
            {issues.length}
          </span>
        ) : null}
      </div>
      <div className="tsr-node__label">{graphNode.label}</div>
      <div className="tsr-node__detail">{note ?? graphNode.detail}</div>
      {issues.length > 0 ? (
        <div
          className="tsr-node__issue"
          data-testid={`tsr-node-issue-${graphNode.id}`}
          title={issues.map((issue) => issue.message).join('\n')}
        >
          {issues[0]!.message}
        </div>
      ) : null}
    </div>
  )
})

/** The node types to give `<ReactFlow nodeTypes>`: one renderer for every kind. */
export const designerNodeTypes = { tessera: DesignerNode }
