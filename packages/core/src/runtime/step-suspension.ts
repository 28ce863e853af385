/**
 * Thrown inside a step by `context.approval()` when no decision is there yet: not an error, a
 * signal to the step pipeline to park the step instance on a wait. The pipeline replaces the
 * step's task with a waiting one (same node, key and input) in one commit; the run becomes
 * `suspended`. User code should not catch it; if it does and returns, the step simply completes.
 */
export class StepSuspension extends Error {
  readonly kind: 'approval'
  readonly waitName: string
  readonly timeoutMs: number | undefined
  constructor(options: { kind: 'approval'; name: string; timeoutMs: number | undefined }) {
    super(`The step waits for approval "${options.name}"`)
    this.name = 'StepSuspension'
    this.kind = options.kind
    this.waitName = options.name
    this.timeoutMs = options.timeoutMs
  }
}
