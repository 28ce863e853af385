import { describe, expect, it } from 'vitest'
import type { Permission, Principal, ResourceRef } from '../types'
import { createAccessControl, defaultRoles } from './access-control'
import { maskPaths } from './mask-paths'
import { permissionMatches, workflowMatches } from './patterns'

const who = (roles: string[], extra: Partial<Principal> = {}): Principal => ({
  id: 'user:1',
  method: 'test',
  roles,
  ...extra,
})

describe('permission and workflow patterns', () => {
  it.each([
    ['*', 'run:read', true],
    ['*', 'anything:else', true],
    ['run:*', 'run:cancel', true],
    ['run:*', 'workflow:run', false],
    ['run:*', 'run:', false],
    ['run:*', 'runs:read', false],
    ['run:read', 'run:read', true],
    ['run:read', 'run:reader', false],
    ['definition:*', 'definition:publish', true],
  ] as [Permission, Permission, boolean][])(
    'permission %s covers %s: %s',
    (pattern, permission, expected) => {
      expect(permissionMatches(pattern, permission)).toBe(expected)
    },
  )

  it.each([
    ['*', 'anything', true],
    ['orders', 'orders', true],
    ['orders', 'orders-2', false],
    ['order-*', 'order-refund', true],
    ['order-*', 'order-', true],
    ['order-*', 'orders', false],
    ['*-eu', 'billing-eu', true],
    ['*-eu', 'billing-us', false],
    ['billing-*-eu', 'billing-x-eu', true],
    ['billing-*-eu', 'billing-eu', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'acb', false],
    ['a*a', 'a', false],
    ['o.der', 'order', false],
  ])('workflow glob %s matches %s: %s', (pattern, id, expected) => {
    expect(workflowMatches(pattern, id)).toBe(expected)
  })
})

describe('createAccessControl: roles, grants, scopes', () => {
  const access = createAccessControl({
    roles: {
      ...defaultRoles,
      'order-desk': { permissions: ['run:*', 'workflow:run'], workflows: ['order-*'] },
      auditor: ['audit:read'],
    },
    grants: [
      { role: 'viewer', workflows: ['refund'], permissions: ['run:approve'] },
      { principal: 'user:ann', workflows: ['payroll-*'], permissions: ['workflow:run'] },
      { role: 'approver', principal: 'user:bob', workflows: ['*'], permissions: ['run:cancel'] },
    ],
  })
  const run = (workflowId?: string): ResourceRef => ({
    type: 'run',
    id: 'r1',
    ...(workflowId ? { workflowId } : {}),
  })

  // [case, principal, permission, resource, allowed]
  const table: [string, Principal, Permission, ResourceRef, boolean][] = [
    ['admin holds everything', who(['admin']), 'apikey:manage', { type: 'api-key' }, true],
    ['admin on a workflow', who(['admin']), 'run:cancel', run('orders'), true],
    ['operator cancels runs', who(['operator']), 'run:cancel', run('orders'), true],
    ['operator runs workflows', who(['operator']), 'workflow:run', run('any'), true],
    ['operator cannot edit definitions', who(['operator']), 'definition:edit', run('x'), false],
    ['operator cannot read the audit', who(['operator']), 'audit:read', { type: 'audit' }, false],
    ['editor publishes', who(['editor']), 'definition:publish', run('x'), true],
    ['editor cannot run', who(['editor']), 'workflow:run', run('x'), false],
    ['approver approves', who(['approver']), 'run:approve', run('x'), true],
    ['approver cannot cancel', who(['approver']), 'run:cancel', run('x'), false],
    ['viewer reads', who(['viewer']), 'definition:read', run('x'), true],
    ['viewer cannot approve elsewhere', who(['viewer']), 'run:approve', run('orders'), false],
    ['viewer grant: approves refund', who(['viewer']), 'run:approve', run('refund'), true],
    ['grant needs a workflow', who(['viewer']), 'run:approve', run(), false],
    ['no roles: nothing', who([]), 'run:read', run('x'), false],
    ['unknown role: nothing', who(['root']), 'run:read', run('x'), false],
    ['scoped role on its workflows', who(['order-desk']), 'run:retry', run('order-eu'), true],
    ['scoped role elsewhere', who(['order-desk']), 'run:retry', run('billing'), false],
    ['scoped role without workflow', who(['order-desk']), 'run:read', run(), false],
    ['principal grant', who([], { id: 'user:ann' }), 'workflow:run', run('payroll-eu'), true],
    [
      'principal grant, other principal',
      who([], { id: 'user:bo' }),
      'workflow:run',
      run('payroll-eu'),
      false,
    ],
    [
      'role + principal grant: both',
      who(['approver'], { id: 'user:bob' }),
      'run:cancel',
      run('x'),
      true,
    ],
    [
      'role + principal grant: role missing',
      who(['viewer'], { id: 'user:bob' }),
      'run:cancel',
      run('x'),
      false,
    ],
    ['role + principal grant: other id', who(['approver']), 'run:cancel', run('x'), false],
    [
      'scopes intersect: kept',
      who(['operator'], { scopes: ['run:read'] }),
      'run:read',
      run('x'),
      true,
    ],
    [
      'scopes intersect: cut',
      who(['operator'], { scopes: ['run:read'] }),
      'run:cancel',
      run('x'),
      false,
    ],
    ['scope wildcard', who(['operator'], { scopes: ['run:*'] }), 'run:cancel', run('x'), true],
    ['scope never adds', who(['viewer'], { scopes: ['*'] }), 'run:cancel', run('x'), false],
    ['empty scopes: nothing', who(['admin'], { scopes: [] }), 'run:read', run('x'), false],
    [
      'scopes cut grants too',
      who(['viewer'], { scopes: ['run:read'] }),
      'run:approve',
      run('refund'),
      false,
    ],
    [
      'key workflows: inside',
      who(['operator'], { workflows: ['order-*'] }),
      'run:read',
      run('order-1'),
      true,
    ],
    [
      'key workflows: outside',
      who(['operator'], { workflows: ['order-*'] }),
      'run:read',
      run('billing'),
      false,
    ],
    [
      'key workflows: non-workflow resource',
      who(['admin'], { workflows: ['order-*'] }),
      'registry:read',
      { type: 'registry' },
      true,
    ],
    ['several roles add up', who(['approver', 'auditor']), 'audit:read', { type: 'audit' }, true],
  ]

  it.each(table)('%s', (_case, principal, permission, resource, allowed) => {
    expect(access.can(principal, permission, resource)).toBe(allowed)
  })

  it.each([
    ['operator', who(['operator']), 'run:read', true],
    ['scoped role', who(['order-desk']), 'run:read', true],
    ['grant only', who([], { id: 'user:ann' }), 'workflow:run', true],
    ['grant of another', who([], { id: 'user:x' }), 'workflow:run', false],
    ['scope cuts it', who(['order-desk'], { scopes: ['workflow:run'] }), 'run:read', false],
    ['approver cannot edit', who(['approver']), 'definition:edit', false],
  ] as [string, Principal, Permission, boolean][])(
    'canOnSomeWorkflow: %s',
    (_case, principal, permission, expected) => {
      expect(access.canOnSomeWorkflow(principal, permission)).toBe(expected)
    },
  )

  it.each([
    [{ roles: null }, 'options.roles'],
    [{ roles: { a: ['run read'] } }, 'createAccessControl.roles.a.permissions'],
    [{ roles: { a: 'run:read' } }, 'createAccessControl.roles.a.permissions'],
    [
      { roles: { a: { permissions: ['*'], workflows: [''] } } },
      'createAccessControl.roles.a.workflows',
    ],
    [
      { roles: {}, grants: [{ workflows: ['x'], permissions: ['*'] }] },
      'createAccessControl.grants[0]',
    ],
    [
      { roles: {}, masks: [{ part: 'body', paths: ['a'], reveal: 'x:y' }] },
      'createAccessControl.masks[0].part',
    ],
    [
      { roles: {}, masks: [{ part: 'input', paths: [], reveal: 'x:y' }] },
      'createAccessControl.masks[0].paths',
    ],
    [
      { roles: {}, masks: [{ part: 'input', paths: ['a..b'], reveal: 'x:y' }] },
      'createAccessControl.masks[0].paths[0]',
    ],
    [
      { roles: {}, masks: [{ part: 'input', paths: ['a'], reveal: 'nope' }] },
      'createAccessControl.masks[0].reveal',
    ],
  ])('refuses bad options (%j) naming %s', (options, argument) => {
    expect(() => createAccessControl(options as never)).toThrow(
      expect.objectContaining({ code: 'invalid_argument', argument }),
    )
  })
})

describe('maskPaths', () => {
  const order = {
    customer: { name: 'Ann', email: 'ann@example.com', card: { number: '4111', brand: 'visa' } },
    items: [
      { sku: 'a', price: 5 },
      { sku: 'b', price: 7 },
    ],
    matrix: [[{ secret: 1 }], [{ secret: 2 }, { open: 3 }]],
    note: null,
  }

  it.each([
    ['a field', ['customer.email'], { customer: { ...order.customer, email: '[masked]' } }],
    ['an object whole', ['customer.card'], { customer: { ...order.customer, card: '[masked]' } }],
    [
      'a field in every array item',
      ['items.*.price'],
      {
        items: [
          { sku: 'a', price: '[masked]' },
          { sku: 'b', price: '[masked]' },
        ],
      },
    ],
    [
      'one array index',
      ['items.1.sku'],
      { items: [order.items[0], { sku: '[masked]', price: 7 }] },
    ],
    [
      'every key of an object',
      ['customer.card.*'],
      { customer: { ...order.customer, card: { number: '[masked]', brand: '[masked]' } } },
    ],
    [
      'nested arrays',
      ['matrix.*.*.secret'],
      { matrix: [[{ secret: '[masked]' }], [{ secret: '[masked]' }, { open: 3 }]] },
    ],
    ['null is a value', ['note'], { note: '[masked]' }],
    ['a missing path changes nothing', ['customer.phone', 'items.9.sku', 'note.x', 'items.x'], {}],
    [
      'several paths',
      ['customer.name', 'items.0.price'],
      {
        customer: { ...order.customer, name: '[masked]' },
        items: [{ sku: 'a', price: '[masked]' }, order.items[1]],
      },
    ],
  ])('masks %s', (_case, paths, changed) => {
    const before = structuredClone(order)
    const masked = maskPaths(order, paths)
    expect(masked).toEqual({ ...order, ...changed })
    expect(order).toEqual(before) // never mutates its input
    if (Object.keys(changed).length === 0) expect(masked).toBe(order)
  })

  it('shares what it does not mask, copies what it does', () => {
    const masked = maskPaths(order, ['customer.email']) as typeof order
    expect(masked.items).toBe(order.items)
    expect(masked.customer).not.toBe(order.customer)
    expect(masked.customer.card).toBe(order.customer.card)
  })

  it('masks top-level arrays and primitives stay as they are', () => {
    expect(maskPaths([{ a: 1 }, { a: 2 }], ['*.a'])).toEqual([{ a: '[masked]' }, { a: '[masked]' }])
    expect(maskPaths('text', ['a'])).toBe('text')
    expect(maskPaths(undefined, ['a'])).toBeUndefined()
    expect(maskPaths({ a: 1 }, ['*'])).toEqual({ a: '[masked]' })
  })

  it('keeps __proto__ keys as data, never as a prototype', () => {
    const value = JSON.parse('{"__proto__": {"secret": 1}, "x": 2}') as Record<string, unknown>
    const masked = maskPaths(value, ['__proto__.secret']) as Record<string, unknown>
    expect(Object.getPrototypeOf(masked)).toBe(Object.prototype)
    expect(Object.hasOwn(masked, '__proto__')).toBe(true)
    expect(masked['__proto__']).toEqual({ secret: '[masked]' })
  })
})

describe('createAccessControl: masks', () => {
  const access = createAccessControl({
    roles: defaultRoles,
    grants: [{ role: 'operator', workflows: ['orders'], permissions: ['pii:read'] }],
    masks: [
      { part: 'input', paths: ['customer.email', 'items.*.price'], reveal: 'pii:read' },
      {
        workflows: ['pay-*'],
        part: ['output', 'step-output'],
        paths: ['iban'],
        reveal: 'bank:read',
      },
    ],
  })
  const input = { customer: { email: 'a@b.c', name: 'A' }, items: [{ price: 1 }] }
  const maskedInput = { customer: { email: '[masked]', name: 'A' }, items: [{ price: '[masked]' }] }

  it.each([
    ['viewer: masked', who(['viewer']), 'orders', 'input', input, maskedInput],
    ['admin holds the reveal permission', who(['admin']), 'orders', 'input', input, input],
    ['operator with a grant on orders', who(['operator']), 'orders', 'input', input, input],
    ['operator without one elsewhere', who(['operator']), 'billing', 'input', input, maskedInput],
    [
      'admin scoped without the reveal',
      who(['admin'], { scopes: ['run:read'] }),
      'orders',
      'input',
      input,
      maskedInput,
    ],
    ['another part is untouched', who(['viewer']), 'orders', 'output', input, input],
    [
      'workflow-limited mask applies',
      who(['viewer']),
      'pay-eu',
      'step-output',
      { iban: 'DE1', x: 1 },
      { iban: '[masked]', x: 1 },
    ],
    [
      'workflow-limited mask elsewhere',
      who(['viewer']),
      'orders',
      'output',
      { iban: 'DE1' },
      { iban: 'DE1' },
    ],
    ['an event has no mask', who(['viewer']), 'pay-eu', 'event', { iban: 'DE1' }, { iban: 'DE1' }],
  ] as const)('%s', (_case, principal, workflowId, part, value, expected) => {
    const before = structuredClone(value)
    expect(access.mask(principal, value, { workflowId, part })).toEqual(expected)
    expect(value).toEqual(before)
  })
})
