// @tessera/react-designer: React components for workflow definitions. Styles:
// import '@tessera/react-designer/style.css'. Reads definitions through the browser-safe
// '@tessera/core/definition' subpath only.
export { DefinitionOutline, type DefinitionOutlineProps } from './definition-outline'
export { toOutlineTree, type OutlineItem } from './to-outline-tree'
export { visibleItems, treeAction, type VisibleItem, type TreeAction } from './tree-navigation'
export { WorkflowDesigner, type WorkflowDesignerProps } from './designer/workflow-designer'
export type { DesignerRegistry, JsonSchemaObject } from './designer/designer-registry'
export type { NodeIssue } from './designer/definition-graph'
