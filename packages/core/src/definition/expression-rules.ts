/**
 * The rules every JSONata expression in a definition keeps, shared by design-time validation and
 * the engine: functions it may not call, and the limits of one evaluation.
 *
 * - `$eval` parses and runs a string as JSONata at run time, which design-time validation cannot
 *   see (it never reaches JavaScript `eval`, but the definition would hide code).
 * - `$now`, `$millis` and `$random` make the decision depend on when or how often it runs; the
 *   engine's control logic must be deterministic.
 *
 * `timeoutMs`: how long one evaluation may run before it fails (JSONata error D1012);
 * `maxDepth`: how deeply evaluation may nest before it fails (D1011), which stops runaway
 * recursion.
 *
 * @example
 * ```ts
 * expressionRules.forbiddenFunctions.includes('eval') // true
 * ```
 */
export const expressionRules = Object.freeze({
  forbiddenFunctions: Object.freeze(['eval', 'now', 'millis', 'random'] as const),
  timeoutMs: 1000,
  maxDepth: 500,
})
