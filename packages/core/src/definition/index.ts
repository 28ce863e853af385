// Browser-safe subpath: the definition format, its schema and validation. No engine, no Node.
export {
  workflowDefinitionSchema,
  definitionNodeSchema,
  retryPolicySchema,
  functionReferenceSchema,
  expressionSchema,
  callableSchema,
  expressionMaxLength,
  definitionSchemaVersion,
  type WorkflowDefinition,
  type DefinitionNode,
  type FunctionReference,
  type Expression,
  type Callable,
} from './schema'
export { expressionRules } from './expression-rules'
export { parseDefinition, visitNodes } from './parse-definition'
export { childNodes } from './child-nodes'
export { contentHash, canonicalJson } from './content-hash'
export { generateCode, type GenerateCodeOptions } from './codegen/generate-code'
export {
  draftWorkflow,
  type DraftWorkflowOptions,
  type DraftWorkflowResult,
} from './draft/draft-workflow'
export { draftSchema } from './draft/draft-schema'
export { WorkflowDraftError } from './draft/workflow-draft-error'
export {
  validateDefinition,
  type DefinitionValidation,
  type DefinitionValidationIssue,
  type DefinitionIssueCode,
  type ValidateDefinitionOptions,
} from './validate-definition'
export {
  inspectExpression,
  type ExpressionInspection,
  type ExpressionProblem,
} from './inspect-expression'
export { schemaCompatibility, type SchemaConflict } from './schema-compatibility'
