import { InvalidArgumentError } from '../errors/invalid-argument-error'
import type { EngineEventName } from './events'

const eventNames: ReadonlySet<string> = new Set<EngineEventName>([
  'run-start',
  'run-end',
  'step-start',
  'step-end',
  'step-retry',
  'step-suspend',
])

/** Checks the arguments of `on`/`once`/`off`: a known event name and a function. */
export function assertListener(fn: string, event: unknown, listener: unknown): void {
  if (typeof event !== 'string' || !eventNames.has(event)) {
    throw new InvalidArgumentError({
      fn,
      argument: 'event',
      expected: `one of ${[...eventNames].map((name) => `"${name}"`).join(', ')}`,
      received: event,
    })
  }
  if (typeof listener !== 'function') {
    throw new InvalidArgumentError({
      fn,
      argument: 'listener',
      expected: 'a function',
      received: listener,
    })
  }
}

/** Checks a run id given to a public function. */
export function assertRunId(fn: string, runId: unknown): asserts runId is string {
  if (typeof runId !== 'string' || runId === '') {
    throw new InvalidArgumentError({
      fn,
      argument: 'runId',
      expected: 'a non-empty string',
      received: runId,
    })
  }
}
