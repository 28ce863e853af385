import { InvalidArgumentError } from '../errors/invalid-argument-error'

/**
 * The thread operations of `StoreV1` (`capabilities.threads`), as `checkThreadInput` names them
 * in its errors.
 *
 * @example
 * ```ts
 * const operation: ThreadOperation = 'appendThreadMessages'
 * ```
 */
export type ThreadOperation =
  'appendThreadMessages' | 'getThread' | 'summarizeThread' | 'deleteThread'

/**
 * An append, checked: the messages as the JSON texts to store, `now` in whole milliseconds.
 *
 * @example
 * ```ts
 * const checked: CheckedThreadAppend = checkThreadInput('appendThreadMessages', input)
 * checked.messages // ['{"role":"user","content":"Hi"}']
 * ```
 */
export interface CheckedThreadAppend {
  threadId: string
  messages: string[]
  now: number
}

/**
 * A summary, checked: its content as the JSON text to store, `now` in whole milliseconds.
 *
 * @example
 * ```ts
 * const { summary, throughSeq } = checkThreadInput('summarizeThread', input)
 * ```
 */
export interface CheckedThreadSummary {
  threadId: string
  summary: string
  throughSeq: number
  now: number
}

/**
 * The longest thread id, in characters (UTF-16 code units): every store can key it (255
 * characters are 1020 bytes of UTF-8 at most).
 *
 * @example
 * ```ts
 * const threadId = `support:${ticketId}`.slice(0, maxThreadIdLength)
 * ```
 */
export const maxThreadIdLength = 255

/**
 * Checks the input of a thread operation as every store must (`StoreV1.appendThreadMessages`,
 * `getThread`, `summarizeThread`, `deleteThread`), and returns what the store writes: messages
 * and summary as JSON text (`JSON.stringify`), `now` rounded to whole milliseconds. Throws
 * `InvalidArgumentError` for an input that is not an object, a `threadId` that is empty, not a
 * string or over 255 characters, `messages` that are not an array, a message or summary that
 * JSON cannot hold (`undefined`, a function, a BigInt, a cycle), a `now` that is not a finite
 * number, or a `throughSeq` that is not a positive integer.
 *
 * @example
 * ```ts
 * async appendThreadMessages(input) {
 *   const { threadId, messages, now } = checkThreadInput('appendThreadMessages', input)
 *   // … store each JSON text in `messages` under the next number
 * }
 * ```
 */
export function checkThreadInput(
  operation: 'appendThreadMessages',
  input: { threadId: string; messages: unknown[]; now: number },
): CheckedThreadAppend
export function checkThreadInput(
  operation: 'summarizeThread',
  input: { threadId: string; summary: unknown; throughSeq: number; now: number },
): CheckedThreadSummary
export function checkThreadInput(
  operation: 'getThread' | 'deleteThread',
  input: { threadId: string },
): { threadId: string }
export function checkThreadInput(
  operation: ThreadOperation,
  input: unknown,
): CheckedThreadAppend | CheckedThreadSummary | { threadId: string } {
  if (typeof input !== 'object' || input === null) {
    throw new InvalidArgumentError({
      fn: operation,
      argument: 'input',
      expected: 'an object',
      received: input,
    })
  }
  const fields = input as Record<string, unknown>
  const threadId = fields.threadId
  if (
    typeof threadId !== 'string' ||
    threadId.length === 0 ||
    threadId.length > maxThreadIdLength
  ) {
    throw new InvalidArgumentError({
      fn: operation,
      argument: 'threadId',
      expected: `a non-empty string of at most ${maxThreadIdLength} characters`,
      received: threadId,
    })
  }
  if (operation === 'getThread' || operation === 'deleteThread') return { threadId }
  const now = fields.now
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new InvalidArgumentError({
      fn: operation,
      argument: 'now',
      expected: 'epoch milliseconds (a finite number)',
      received: now,
    })
  }
  if (operation === 'appendThreadMessages') {
    const messages = fields.messages
    if (!Array.isArray(messages)) {
      throw new InvalidArgumentError({
        fn: operation,
        argument: 'messages',
        expected: 'an array',
        received: messages,
      })
    }
    return {
      threadId,
      messages: messages.map((message: unknown, index) =>
        jsonOf(operation, `messages[${index}]`, message),
      ),
      now: Math.round(now),
    }
  }
  const throughSeq = fields.throughSeq
  if (typeof throughSeq !== 'number' || !Number.isSafeInteger(throughSeq) || throughSeq < 1) {
    throw new InvalidArgumentError({
      fn: operation,
      argument: 'throughSeq',
      expected: 'a positive integer',
      received: throughSeq,
    })
  }
  return {
    threadId,
    summary: jsonOf(operation, 'summary', fields.summary),
    throughSeq,
    now: Math.round(now),
  }
}

/** The JSON text of a value, or InvalidArgumentError when JSON cannot hold it. */
function jsonOf(operation: ThreadOperation, argument: string, value: unknown): string {
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch {
    text = undefined
  }
  if (typeof text !== 'string') {
    throw new InvalidArgumentError({
      fn: operation,
      argument,
      expected: 'a value JSON can hold (not undefined, a function, a BigInt or a cycle)',
      received: value,
    })
  }
  return text
}
