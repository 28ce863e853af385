import { InvalidArgumentError, type Clock } from '@tessera/core'

const triggerIdPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/

/** Checks what every trigger factory takes: an options object, an `id` and a `workflow`. */
export function checkTriggerBasics(fn: string, options: unknown): void {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError({
      fn,
      argument: 'options',
      expected: 'an object with id and workflow',
      received: options,
    })
  }
  const { id, workflow } = options as { id?: unknown; workflow?: { kind?: unknown } }
  if (typeof id !== 'string' || !triggerIdPattern.test(id)) {
    throw new InvalidArgumentError({
      fn,
      argument: 'id',
      expected:
        'letters, digits, "-", "_", "." or ":" (at most 200), starting with a letter or digit',
      received: id,
    })
  }
  if (typeof workflow !== 'object' || workflow === null || workflow.kind !== 'workflow') {
    throw new InvalidArgumentError({
      fn,
      argument: 'workflow',
      expected: 'a committed workflow (createWorkflow(…).….commit())',
      received: workflow,
    })
  }
}

/** Resolves after `ms` on `clock`, or at once when `signal` aborts. */
export function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = () => {
      clock.clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = clock.setTimeout(done, ms)
    ;(timer as { unref?: () => void }).unref?.()
    signal.addEventListener('abort', done, { once: true })
  })
}
