import type jsonataType from 'jsonata'
import { canonicalJson } from '../definition/content-hash'
import { expressionRules } from '../definition/expression-rules'
import type { InlineFunction } from '../builder/workflow'

/** The outcome of one evaluation, as a decision's cache holds it. */
export type ExpressionResult = { value: unknown } | { error: unknown }

/** Results of the expressions a decision evaluated, by {@link ExpressionMiss.key}. */
export type ExpressionResults = Map<string, ExpressionResult>

const marker = Symbol.for('tessera.expression')

/** An inline function compiled from a JSONata expression (evaluated by the decider, not called). */
export interface ExpressionFunction extends InlineFunction {
  readonly [marker]: CompiledExpression
}

/** A JSONata expression of a plan, parsed on its first evaluation. */
export class CompiledExpression {
  private parsed: Promise<jsonataType.Expression> | undefined
  constructor(readonly source: string) {}

  // The cache key of an evaluation with these arguments.
  key(args: Record<string, unknown>): string {
    return `${this.source}\u0000${canonicalJson(args) ?? ''}`
  }

  // `$` is `args.input` (a loop's `until`: `args.output`); the other fields are variables
  // (`$iteration`, `$runId`, `$workflowId`). The result is plain JSON.
  async evaluate(args: Record<string, unknown>): Promise<unknown> {
    this.parsed ??= loadJsonata().then((jsonata) =>
      jsonata(this.source, { timeout: expressionRules.timeoutMs, stack: expressionRules.maxDepth }),
    )
    const expression = await this.parsed
    const { input, output, ...variables } = args
    const bindings: Record<string, unknown> = { ...variables }
    for (const name of expressionRules.forbiddenFunctions) bindings[name] = forbidden(name)
    const result: unknown = await expression.evaluate('output' in args ? output : input, bindings)
    return result === undefined ? undefined : (JSON.parse(JSON.stringify(result)) as unknown)
  }
}

/**
 * Thrown by the decider when it needs the value of an expression it has not evaluated yet:
 * JSONata evaluates asynchronously, the decider is synchronous. The commit pipeline settles it
 * into the decision's {@link ExpressionResults} and runs the (pure) decision again.
 */
export class ExpressionMiss {
  constructor(
    readonly key: string,
    private readonly expression: CompiledExpression,
    private readonly args: Record<string, unknown>,
    /** Where the expression stands. */
    readonly node: { workflowId: string; id: string },
  ) {}

  // Evaluates the expression and records the value or the error in `results`.
  async settle(results: ExpressionResults): Promise<void> {
    try {
      results.set(this.key, { value: await this.expression.evaluate(this.args) })
    } catch (error) {
      results.set(this.key, { error })
    }
  }
}

/**
 * Most evaluations one decision may need. Each one re-runs the decision, so an inline function
 * that is not deterministic (a new value each run) would otherwise make it loop forever.
 */
export const maxExpressionsPerDecision = 10_000

/** An inline function that stands for a JSONata expression in an execution plan. */
export function expressionFunction(source: string): ExpressionFunction {
  const compiled = new CompiledExpression(source)
  // Never called: the decider reads the expression instead (see expressionOf).
  return Object.assign(() => undefined, { [marker]: compiled }) as ExpressionFunction
}

/** The expression an inline function stands for, if it is one. */
export function expressionOf(fn: InlineFunction): CompiledExpression | undefined {
  return (fn as Partial<ExpressionFunction>)[marker]
}

/** Describes a failed evaluation: JSONata errors are plain objects with a code and a position. */
export function describeExpressionError(source: string, error: unknown): string {
  const { message, code, position } = (error ?? {}) as Record<string, unknown>
  return `expression ${JSON.stringify(source)} failed${position === undefined ? '' : ` at position ${String(position)}`}: ${String(message ?? error)}${code ? ` (JSONata ${String(code)})` : ''}`
}

/** Loaded on first use: JSONata stays out of the core entry's bundle. */
async function loadJsonata(): Promise<typeof jsonataType> {
  const module = (await import('jsonata')) as { default?: typeof jsonataType }
  return module.default ?? (module as unknown as typeof jsonataType)
}

function forbidden(name: string) {
  return () => {
    throw {
      code: 'forbidden_function',
      message: `$${name}() is not available in workflow definitions`,
    }
  }
}
