import { TesseraError } from '@tessera/core'

/**
 * One problem the OpenAPI parser found in a document.
 *
 * @example
 * ```ts
 * const issue: OpenApiDocumentIssue = { message: "must have required property 'description'", path: '/paths/~1pets/get/responses/200' }
 * ```
 */
export interface OpenApiDocumentIssue {
  /** The parser's message (with a code frame when it has one). */
  message: string
  /** Where in the document, as a JSON Pointer (`/paths/~1pets/get/responses`), when known. */
  path?: string
}

/**
 * An OpenAPI document could not be imported: it does not parse, does not validate against the
 * OpenAPI 3.0/3.1 schema, has a `$ref` that leads nowhere, or is not OpenAPI 3. `issues` holds
 * the parser's messages and, when the parser points at a place, its JSON Pointer. Code
 * `openapi_document_invalid`; not retryable.
 *
 * @example
 * ```ts
 * try {
 *   await createOpenApiConnector({ id: 'pets', document: './pets.yaml' })
 * } catch (error) {
 *   if (OpenApiDocumentError.isInstance(error)) console.error(error.issues)
 * }
 * ```
 */
export class OpenApiDocumentError extends TesseraError {
  readonly issues: readonly OpenApiDocumentIssue[]

  constructor(options: { source: string; issues: OpenApiDocumentIssue[]; cause?: unknown }) {
    const first = options.issues[0]
    super(
      'openapi_document_invalid',
      `The OpenAPI document ${options.source} is invalid${
        first?.path !== undefined ? ` at ${first.path}` : ''
      }: ${first?.message.split('\n')[0] ?? 'unknown problem'}${
        options.issues.length > 1 ? ` (and ${options.issues.length - 1} more)` : ''
      }`,
      { cause: options.cause, retryable: false },
    )
    this.name = 'OpenApiDocumentError'
    this.issues = options.issues
  }

  /** True for an {@link OpenApiDocumentError}, even one from another copy of the package. */
  static override isInstance(value: unknown): value is OpenApiDocumentError {
    return TesseraError.isInstance(value) && value.code === 'openapi_document_invalid'
  }

  override details() {
    return { issues: this.issues }
  }
}
