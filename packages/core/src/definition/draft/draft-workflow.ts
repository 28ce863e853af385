import type {
  LanguageModelV1,
  ModelMessage,
  ModelRequest,
  TokenUsage,
} from '../../ports/language-model-v1'
import type { RegistryDescription } from '../../registry/registry'
import { canonicalJson, contentHash } from '../content-hash'
import { definitionSchemaVersion, type WorkflowDefinition } from '../schema'
import { validateDefinition, type DefinitionValidationIssue } from '../validate-definition'
import { draftSchema } from './draft-schema'
import { WorkflowDraftError } from './workflow-draft-error'

/** Options of {@link draftWorkflow}.
 *
 * @example
 * ```ts
 * const options: DraftWorkflowOptions = { model, registry: engine.registry.describe(), maxRepairs: 3 }
 * ```
 */
export interface DraftWorkflowOptions {
  /** Any language model; with `capabilities.structuredOutput` it gets the schema as response format. */
  model: LanguageModelV1
  /** The components the workflow may use (`engine.registry.describe()`). */
  registry: RegistryDescription
  /** Definitions of registered workflows, so calls between them are checked for cycles. */
  definitions?: readonly WorkflowDefinition[]
  /** How many times the model is shown what was wrong and asked again. Default 2. */
  maxRepairs?: number
  signal?: AbortSignal
}

/** What {@link draftWorkflow} returns.
 *
 * @example
 * ```ts
 * const { definition, attempts, issues }: DraftWorkflowResult = await draftWorkflow(prompt, options)
 * ```
 */
export interface DraftWorkflowResult {
  /** A definition that passed `validateDefinition` against the registry (warnings allowed). */
  definition: WorkflowDefinition
  /** How many answers the model gave (1 when the first one was valid). */
  attempts: number
  /** Warnings about the accepted definition (errors would have been repaired or thrown). */
  issues: DefinitionValidationIssue[]
  /** The errors of each rejected answer, in order. */
  rejected: DefinitionValidationIssue[][]
  /** Tokens used by all calls together. */
  usage: TokenUsage
}

const defaultRepairs = 2

/**
 * Asks a language model to draft a workflow definition for `prompt`, constrained to the
 * registry: the model gets the definition format as a JSON Schema whose step, workflow and
 * function references are enums of the registry's ids (as the response format when the model
 * supports structured output, else in the instructions), and a description of each component.
 * The answer is checked with `validateDefinition`; when it has errors the model sees them (JSON
 * path and message) and answers again, up to `maxRepairs` times. `kind`, `schemaVersion` and
 * `version` (a content hash; registering the definition computes the engine's own) are filled in.
 *
 * Throws {@link WorkflowDraftError} (a `DefinitionError`) with the last answer's issues when no
 * answer was valid. Model failures (`ModelCallError`, …) and an aborted `signal` reject as
 * they are.
 *
 * @example
 * ```ts
 * const { definition, attempts } = await draftWorkflow(
 *   'When an order arrives, fetch it, and ask a manager to approve totals over 1000',
 *   { model, registry: engine.registry.describe() },
 * )
 * console.log(generateCode(definition))
 * ```
 */
export async function draftWorkflow(
  prompt: string,
  options: DraftWorkflowOptions,
): Promise<DraftWorkflowResult> {
  const { model, registry, signal } = options
  const maxRepairs = options.maxRepairs ?? defaultRepairs
  const schema = draftSchema(registry)
  const structured = model.capabilities.structuredOutput
  const messages: ModelMessage[] = [
    { role: 'system', content: instructions(registry, structured ? undefined : schema) },
    { role: 'user', content: prompt },
  ]
  const usage: TokenUsage = { inputTokens: 0, outputTokens: 0 }
  const rejected: DefinitionValidationIssue[][] = []
  let workflowId: string | undefined
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted()
    const request: ModelRequest = {
      messages: [...messages],
      ...(structured
        ? { responseFormat: { type: 'json', schema, name: 'workflow_definition' } }
        : {}),
      ...(signal ? { signal } : {}),
    }
    const response = await model.generate(request)
    usage.inputTokens += response.usage.inputTokens
    usage.outputTokens += response.usage.outputTokens
    const text = response.content.map((part) => (part.type === 'text' ? part.text : '')).join('')
    const checked = check(text, options)
    workflowId = checked.workflowId ?? workflowId
    const errors = checked.issues.filter((issue) => issue.severity === 'error')
    if (errors.length === 0 && checked.definition) {
      return {
        definition: checked.definition,
        attempts: attempt,
        issues: checked.issues,
        rejected,
        usage,
      }
    }
    rejected.push(errors)
    if (attempt > maxRepairs) {
      throw new WorkflowDraftError({
        ...(workflowId ? { workflowId } : {}),
        model: `${model.provider}:${model.modelId}`,
        attempts: attempt,
        text,
        rejected: rejected.map((issues) =>
          issues.map((issue) => ({ path: issue.path, message: issue.message })),
        ),
      })
    }
    messages.push(
      { role: 'assistant', content: text },
      { role: 'user', content: repairRequest(errors) },
    )
  }
}

/** Parses and validates one answer. */
function check(
  text: string,
  options: DraftWorkflowOptions,
): { definition?: WorkflowDefinition; workflowId?: string; issues: DefinitionValidationIssue[] } {
  let value: unknown
  try {
    value = JSON.parse(withoutFence(text))
  } catch (error) {
    return {
      issues: [
        {
          path: '',
          code: 'invalid_shape',
          severity: 'error',
          message: `the answer is not JSON (${error instanceof Error ? error.message : String(error)}): answer with the JSON object only`,
        },
      ],
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      issues: [
        { path: '', code: 'invalid_shape', severity: 'error', message: 'expected a JSON object' },
      ],
    }
  }
  const {
    kind: _kind,
    schemaVersion: _schemaVersion,
    version: _version,
    ...body
  } = value as Record<string, unknown>
  const candidate = {
    kind: 'tessera.workflow',
    schemaVersion: definitionSchemaVersion,
    ...body,
  }
  const complete = { ...candidate, version: contentHash(canonicalJson(candidate)) }
  const result = validateDefinition(complete, {
    registry: options.registry,
    ...(options.definitions ? { definitions: options.definitions } : {}),
  })
  return {
    ...(result.definition ? { definition: result.definition } : {}),
    ...(typeof body.id === 'string' ? { workflowId: body.id } : {}),
    issues: result.issues,
  }
}

/** The JSON inside a Markdown code fence, for models that add one. */
function withoutFence(text: string): string {
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/.exec(text)
  return fenced ? fenced[1]! : text
}

function repairRequest(errors: DefinitionValidationIssue[]): string {
  const list = errors
    .map((issue) => `- ${issue.path || '(the whole answer)'}: ${issue.message}`)
    .join('\n')
  return `That definition has ${errors.length} problem${errors.length === 1 ? '' : 's'}:\n${list}\nAnswer with the whole corrected definition, as JSON only.`
}

function instructions(
  registry: RegistryDescription,
  schema: Record<string, unknown> | undefined,
): string {
  const components = {
    steps: registry.steps.map((step) => ({
      id: step.id,
      ...(step.description ? { description: step.description } : {}),
      input: step.input,
      output: step.output,
    })),
    workflows: registry.workflows.map((workflow) => ({
      id: workflow.id,
      ...(workflow.description ? { description: workflow.description } : {}),
      input: workflow.input,
      ...(workflow.output ? { output: workflow.output } : {}),
    })),
    functions: registry.functions,
    ...((registry.agents ?? []).length > 0
      ? {
          agents: registry.agents.map((agent) => ({
            id: agent.id,
            ...(agent.description ? { description: agent.description } : {}),
            input: agent.input,
            output: agent.output,
          })),
        }
      : {}),
    ...((registry.connectors ?? []).length > 0
      ? {
          connectors: registry.connectors.map((connector) => ({
            id: connector.id,
            ...(connector.description ? { description: connector.description } : {}),
            config: connector.config,
            actions: connector.actions,
          })),
        }
      : {}),
  }
  return [
    'You design workflows for the Tessera workflow engine. Answer with one JSON object: a workflow definition.',
    'The definition is a tree of nodes under "root", a sequence whose id is "root". Each node has a type and an id unique in the workflow.',
    'Node types: step (runs a registered step), workflow (runs a registered workflow), agent (runs a registered agent), action (runs an action of a registered connector with a "config" its config schema accepts), code (reshapes data: a registered function or a JSONata expression), sequence, parallel (branches run at once; the output is an object of their outputs), branch (the first case whose "when" holds runs), foreach (runs its body for each element of an array input), loop (repeats its body until "until" holds), sleep (waits durationMs), event (waits for a named event), approval (waits for a person to approve).',
    "Each node receives the previous node's output as its input: a step's input schema must accept it. Conditions and mappings are JSONata expressions where $ is the input, or registered functions.",
    'Use only these components:',
    JSON.stringify(components),
    ...(schema ? ['The answer must match this JSON Schema:', JSON.stringify(schema)] : []),
  ].join('\n')
}
