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
  /**
   * Fields the expression reads from its input (`$`): the first name of every path evaluated
   * against the input, with its position. Names inside predicates, later path steps and
   * function bodies read other data and are not listed.
   */
  fields?: { name: string; position?: number }[]
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
  if (literal) return { problems, constant: { value: ast.value as unknown } }
  const fields: { name: string; position?: number }[] = []
  inputFields(ast, fields)
  return fields.length > 0 ? { problems, fields } : { problems }
}

/** Collects the names read from the input, in the positions where the input is the context. */
function inputFields(node: unknown, fields: { name: string; position?: number }[]): void {
  if (typeof node !== 'object' || node === null) return
  // The published ExprNode type lacks the post-processed kinds ('path', 'apply', 'bind').
  const current = node as Omit<jsonata.ExprNode, 'type'> & { type: string } & Record<
      string,
      unknown
    >
  const add = (step: { type: string; value?: unknown; position?: number } | undefined) => {
    if (step?.type === 'name' && typeof step.value === 'string')
      fields.push({
        name: step.value,
        ...(typeof step.position === 'number' ? { position: step.position } : {}),
      })
  }
  switch (current.type) {
    case 'path': {
      const steps = (current.steps ?? []) as jsonata.ExprNode[]
      const first = steps[0]
      if (first?.type === 'name') add(first)
      else if (first?.type === 'variable' && first.value === '') add(steps[1])
      else if (first !== undefined && first.type !== 'variable') inputFields(first, fields)
      return
    }
    case 'name':
      add(current)
      return
    case 'binary':
    case 'apply':
      inputFields(current.lhs, fields)
      inputFields(current.rhs, fields)
      return
    case 'bind':
      inputFields(current.rhs, fields)
      return
    case 'condition':
      inputFields(current.condition, fields)
      inputFields(current.then, fields)
      inputFields(current.else, fields)
      return
    case 'function':
    case 'partial':
      for (const argument of current.arguments ?? []) inputFields(argument, fields)
      return
    case 'block':
      for (const expression of (current.expressions ?? []) as unknown[])
        inputFields(expression, fields)
      return
    case 'unary':
      if (current.value === '-') inputFields(current.expression, fields)
      else if (current.value === '[')
        for (const expression of (current.expressions ?? []) as unknown[])
          inputFields(expression, fields)
      else if (current.value === '{')
        for (const pair of (current.lhs ?? []) as unknown as unknown[][])
          for (const part of pair) inputFields(part, fields)
      return
    default:
      return
  }
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
