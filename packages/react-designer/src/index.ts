// @tessera/react-designer: React components for workflow definitions. Styles:
// import '@tessera/react-designer/style.css'. Reads definitions through the browser-safe
// '@tessera/core/definition' subpath only.
export { DefinitionOutline, type DefinitionOutlineProps } from './definition-outline'
export { toOutlineTree, type OutlineItem } from './to-outline-tree'
export { visibleItems, treeAction, type VisibleItem, type TreeAction } from './tree-navigation'
export { WorkflowDesigner, type WorkflowDesignerProps } from './designer/workflow-designer'
export type { DesignerRegistry, JsonSchemaObject } from './designer/designer-registry'
export type { NodeIssue } from './designer/definition-graph'
export type { RunEvent, RunEventError } from './run-viewer/run-event'
export {
  createRunState,
  reduceRunEvent,
  runStateFromEvents,
  type RunState,
  type RunStatus,
  type RunNodeStatus,
  type RunInstanceState,
} from './run-viewer/run-state'
export { runNodeViews, nodeIdOfStep, type RunNodeView } from './run-viewer/run-node-views'
export { RunDetailsPanel, type RunDetailsPanelProps } from './run-viewer/run-details-panel'
export { formatDuration } from './run-viewer/format-duration'
export { useRunState } from './run-viewer/use-run-state'
export { RunViewer, type RunViewerProps, type RunViewerRun } from './run-viewer/run-viewer'
