/**
 * A failure of the native side: loading the library, the model file or llama.cpp, or a dispose
 * under a running call. The model turns it into a `ModelCallError` (failure `other`) carrying
 * its own id.
 *
 * @example
 * ```ts
 * throw new LlamaCppFailure('cannot read the model file "./m.gguf" (ENOENT)', { cause: error })
 * ```
 */
export class LlamaCppFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'LlamaCppFailure'
  }
}
