import { useMemo, type ReactElement } from 'react'
import { generateCode, type WorkflowDefinition } from '@tessera/core/definition'

/** Props of {@link CodeView}. */
export interface CodeViewProps {
  definition: WorkflowDefinition
}

/**
 * The TypeScript that rebuilds the definition with the fluent builder (`generateCode` of
 * `@tessera/core/definition`), read-only. A definition the builder cannot write (such as a
 * sequence inside a branch) shows the reason instead.
 *
 * @example
 * ```tsx
 * <CodeView definition={definition} />
 * ```
 */
export function CodeView(props: CodeViewProps): ReactElement {
  const { definition } = props
  const generated = useMemo(() => {
    try {
      return { code: generateCode(definition), error: undefined }
    } catch (error) {
      return { code: undefined, error: error instanceof Error ? error.message : String(error) }
    }
  }, [definition])
  if (generated.error !== undefined)
    return (
      <p className="tsr-code-error" data-testid="tsr-code-error">
        No code for this definition: {generated.error}
      </p>
    )
  return (
    <pre
      className="tsr-code"
      data-testid="tsr-code-view"
      tabIndex={0}
      aria-label={`TypeScript of workflow ${definition.id}`}
    >
      <code>{generated.code}</code>
    </pre>
  )
}
