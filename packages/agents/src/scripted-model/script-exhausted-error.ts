import { TesseraError } from '@tessera/core'

/**
 * A scripted model was called more times than its script has replies. The message says how
 * many replies the script had and quotes the start of the last user message, so the failing
 * call is easy to find.
 *
 * @example
 * ```ts
 * const model = createScriptedModel(['only one'])
 * await model.generate(request)
 * await model.generate(request).catch((error) => {
 *   ScriptExhaustedError.isInstance(error) // true
 *   error.code // 'script_exhausted'
 * })
 * ```
 */
export class ScriptExhaustedError extends TesseraError {
  /** The model id of the scripted model that ran out. */
  readonly modelId: string
  /** How many replies the script had. */
  readonly scriptLength: number
  /** The 1-based number of the call that found the script empty. */
  readonly callNumber: number

  constructor(options: {
    modelId: string
    scriptLength: number
    callNumber: number
    lastUserMessage: string | undefined
  }) {
    const quoted =
      options.lastUserMessage === undefined
        ? 'no user message'
        : `last user message ${JSON.stringify(truncate(options.lastUserMessage, 60))}`
    super(
      'script_exhausted',
      `Scripted model "${options.modelId}" received call ${options.callNumber} but its script has only ${options.scriptLength} ${options.scriptLength === 1 ? 'reply' : 'replies'} (${quoted}); add a reply to the script`,
    )
    this.name = 'ScriptExhaustedError'
    this.modelId = options.modelId
    this.scriptLength = options.scriptLength
    this.callNumber = options.callNumber
  }

  /** True for a {@link ScriptExhaustedError}, even one from another copy of the package. */
  static override isInstance(value: unknown): value is ScriptExhaustedError {
    return TesseraError.isInstance(value) && value.code === 'script_exhausted'
  }

  override details() {
    return { modelId: this.modelId, scriptLength: this.scriptLength, callNumber: this.callNumber }
  }
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length)}…` : text
}
