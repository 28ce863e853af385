import { useId, useMemo, type ReactElement } from 'react'
import Form from '@rjsf/core'
import type { RJSFSchema } from '@rjsf/utils'
import type { DefinitionNode, WorkflowDefinition } from '@tessera/core/definition'
import type { DesignerRegistry } from './designer-registry'
import { createFormValidator } from './form-validator'
import { applyNodeFormData, nodeFormData, nodeFormSchema } from './node-form-schema'
import { propertiesFormFields } from './secret-ref-field'

/** Props of {@link PropertiesPanel}. */
export interface PropertiesPanelProps {
  definition: WorkflowDefinition
  /** The selected definition node, or none: the workflow's own settings. */
  node: DefinitionNode | undefined
  registry: DesignerRegistry
  readOnly: boolean
  /** The node as the form describes it, on Apply. */
  onApplyNode: (nodeId: string, node: DefinitionNode) => void
  /** The workflow's id and description, on Apply. */
  onApplyWorkflow: (settings: { id: string; description?: string }) => void
}

const workflowSchema: RJSFSchema = {
  type: 'object',
  title: 'Workflow',
  required: ['id'],
  properties: {
    id: {
      type: 'string',
      title: 'Workflow id',
      pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$',
      maxLength: 200,
    },
    description: { type: 'string', title: 'Description' },
  },
}

/**
 * The properties form of the selected node (or of the workflow when none is selected),
 * generated from a JSON Schema by @rjsf/core and checked as you type by a validator that walks
 * the schema (no `new Function`, so it works under a strict Content Security Policy); Apply
 * turns it into an edit of the definition.
 *
 * @example
 * ```tsx
 * <PropertiesPanel definition={definition} node={selected} registry={registry} readOnly={false} onApplyNode={apply} onApplyWorkflow={rename} />
 * ```
 */
export function PropertiesPanel(props: PropertiesPanelProps): ReactElement {
  const { definition, node, registry, readOnly } = props
  const idPrefix = `tsr${useId().replace(/[^A-Za-z0-9]/g, '')}`
  const validator = useMemo(createFormValidator, [])
  // Memoised: a new schema object makes the form recompute its state.
  const schema = useMemo(
    () => (node ? nodeFormSchema(node, registry) : workflowSchema) as RJSFSchema,
    [node, registry],
  )
  const formData = useMemo(
    () =>
      node
        ? nodeFormData(node)
        : {
            id: definition.id,
            ...(definition.description === undefined
              ? {}
              : { description: definition.description }),
          },
    [node, definition.id, definition.description],
  )
  return (
    <div className="tsr-properties" data-testid="tsr-properties">
      <Form
        // A new node, or a new version of it, starts a fresh form.
        key={`${node?.id ?? ''}@${definition.version}`}
        className="tsr-properties__form"
        idPrefix={idPrefix}
        schema={schema}
        fields={propertiesFormFields}
        formData={formData}
        validator={validator}
        liveValidate="onChange"
        showErrorList={false}
        noHtml5Validate
        readonly={readOnly}
        // Errors show inline on their fields; nothing to log.
        onError={() => undefined}
        onSubmit={({ formData: data }) => {
          const values = (data ?? {}) as Record<string, unknown>
          if (node) props.onApplyNode(node.id, applyNodeFormData(node, values))
          else
            props.onApplyWorkflow({
              id: String(values.id ?? ''),
              ...(typeof values.description === 'string' && values.description !== ''
                ? { description: values.description }
                : {}),
            })
        }}
      >
        <button
          type="submit"
          className="tsr-button tsr-properties__apply"
          data-testid="tsr-properties-apply"
          disabled={readOnly}
        >
          Apply
        </button>
      </Form>
    </div>
  )
}
