import jsonata from 'jsonata'
import { expressionRules } from './expression-rules'

/** A problem found in an expression before it runs.
 *
 * @example
 * ```ts
 * const [problem] = inspectExpression('$eval("1")').problems // code: 'expression_forbidden_function'
 * ```
 */
export interface ExpressionProblem {
  code: 'expression_syntax' | 'expression_forbidden_function'
  message: string
  /** Character offset into the expression, when known. */
  position?: number
}

/** What design-time inspection learns about an expression.
 *
 * @example
 * ```ts
 * const { problems, constant } = inspectExpression('false') // [], { value: false }
 * ```
 */
export interface ExpressionInspection {
  problems: ExpressionProblem[]
  /** The value of an expression that is a literal (`true`, `false`, `42`, `"a"`, `null`). */
  constant?: { value: unknown }
}

/**
 * Parses a JSONata expression without running it: syntax errors with their position, calls of
 * functions definitions may not use ({@link expressionRules}), and the value of a literal.
 *
 * @example
 * ```ts
 * inspectExpression('total >').problems[0] // { code: 'expression_syntax', position: 7, … }
 * inspectExpression('true').constant // { value: true }
 * ```
 */
export function inspectExpression(source: string): ExpressionInspection {
  let inspection = recent.get(source)
  if (inspection === undefined) {
    inspection = deepFreeze(inspect(source))
    if (recent.size >= recentLimit) recent.delete(recent.keys().next().value!)
    recent.set(source, inspection)
  }
  return inspection
}

/**
 * Inspections of recent sources: a pure function's results, so sharing them is safe. A designer
 * validates the whole definition on every edit, and most expressions did not change.
 */
const recent = new Map<string, ExpressionInspection>()
const recentLimit = 2000

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const item of Object.values(value)) deepFreeze(item)
  }
  return value
}

function inspect(source: string): ExpressionInspection {
  let ast: jsonata.ExprNode
  try {
    ast = jsonata(source).ast()
  } catch (error) {
    const detail = error as { message?: unknown; position?: unknown; code?: unknown }
    const position = typeof detail.position === 'number' ? detail.position : undefined
    const message = typeof detail.message === 'string' ? detail.message : String(error)
    return {
      problems: [
        {
          code: 'expression_syntax',
          message: `syntax error${position === undefined ? '' : ` at position ${position}`}: ${message}${typeof detail.code === 'string' ? ` (JSONata ${detail.code})` : ''}`,
          ...(position === undefined ? {} : { position }),
        },
      ],
    }
  }
  const problems: ExpressionProblem[] = []
  const forbidden = new Set<string>(expressionRules.forbiddenFunctions)
  walk(ast, (node) => {
    if (node.type === 'variable' && typeof node.value === 'string' && forbidden.has(node.value)) {
      problems.push({
        code: 'expression_forbidden_function',
        message: `$${node.value} is not available in workflow definitions (${node.value === 'eval' ? 'it would run code that was never checked' : 'decisions must not depend on when they run'})`,
        ...(typeof node.position === 'number' ? { position: node.position } : {}),
      })
    }
  })
  const literal = ['value', 'number', 'string'].includes(ast.type) && ast.stages === undefined
  return literal ? { problems, constant: { value: ast.value as unknown } } : { problems }
}

/** Visits every node object of a JSONata AST (its shape varies by node type, so generically). */
function walk(value: unknown, visit: (node: jsonata.ExprNode) => void, seen = new Set<unknown>()) {
  if (typeof value !== 'object' || value === null || seen.has(value)) return
  seen.add(value)
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit, seen)
    return
  }
  const node = value as jsonata.ExprNode
  if (typeof node.type === 'string') visit(node)
  for (const child of Object.values(value)) walk(child, visit, seen)
}
