// Browser-safe subpath: the definition format, its schema and validation. No engine, no Node.
export {
  workflowDefinitionSchema,
  definitionNodeSchema,
  retryPolicySchema,
  functionReferenceSchema,
  definitionSchemaVersion,
  type WorkflowDefinition,
  type DefinitionNode,
} from './schema'
export { parseDefinition, visitNodes } from './parse-definition'
export { contentHash, canonicalJson } from './content-hash'
