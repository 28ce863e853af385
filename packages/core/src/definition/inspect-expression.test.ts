import { describe, expect, it } from 'vitest'
import { inspectExpression } from './inspect-expression'

describe('inspectExpression', () => {
  it('accepts JSONata without running it', () => {
    expect(inspectExpression('items[price > 10].{ "sku": sku, "total": price * qty }')).toEqual({
      problems: [],
      fields: [{ name: 'items', position: 5 }],
    })
  })

  it('reports a syntax error with its position and JSONata code', () => {
    expect(inspectExpression('total >').problems).toEqual([
      {
        code: 'expression_syntax',
        position: 7,
        message: 'syntax error at position 7: Unexpected end of expression (JSONata S0207)',
      },
    ])
    expect(inspectExpression('{ "a": 1 ').problems[0]).toMatchObject({ code: 'expression_syntax' })
  })

  it('finds forbidden functions wherever they appear, called or passed', () => {
    const found = (source: string) =>
      inspectExpression(source).problems.map((problem) => problem.message.split(' ')[0])
    expect(found('$eval("1")')).toEqual(['$eval'])
    expect(found('[1, 2].($random() > 0.5)')).toEqual(['$random'])
    expect(found('$map([1], $now)')).toEqual(['$now'])
    expect(found('( $f := function() { $millis() }; $f() )')).toEqual(['$millis'])
    expect(found('$evaluate + $nowhere')).toEqual([])
  })

  it('lists the fields read from the input, not those read from other data', () => {
    const names = (source: string) =>
      (inspectExpression(source).fields ?? []).map((field) => field.name)
    expect(names('total > 100 and customer.tier = "gold"')).toEqual(['total', 'customer'])
    expect(names('items[price > 10].{ "sku": sku }')).toEqual(['items'])
    expect(names('{ "n": n + 1, "sum": $sum(lines.amount), "m": $.m }')).toEqual([
      'n',
      'lines',
      'm',
    ])
    expect(names('a ? -b : [c, d ~> $string()]')).toEqual(['a', 'b', 'c', 'd'])
    expect(names('($x := base; $map(xs, function($v) { $v + z }))')).toEqual(['base', 'xs'])
    expect(inspectExpression('total >').fields).toBeUndefined()
  })

  it('gives the value of a literal and nothing for an expression', () => {
    expect(inspectExpression('true').constant).toEqual({ value: true })
    expect(inspectExpression('"yes"').constant).toEqual({ value: 'yes' })
    expect(inspectExpression('null').constant).toEqual({ value: null })
    expect(inspectExpression('true and false').constant).toBeUndefined()
    expect(inspectExpression('n > 1').constant).toBeUndefined()
  })
})
