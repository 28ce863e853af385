import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createRegistry, createWorkflow, defineConnector } from '../index'
import { inc, num } from '../../test/fixtures'
import { validateDefinition, type DefinitionValidation } from './index'

const crm = defineConnector({
  id: 'crm',
  config: z.object({
    baseUrl: z.url(),
    retries: z.number().int().min(0).max(5).optional(),
    headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
  }),
  actions: {
    'find-contact': {
      input: z.object({ n: z.number() }),
      output: z.object({ name: z.string() }),
      run: async () => ({ name: 'Ada' }),
    },
    'tag-contact': {
      input: z.object({ name: z.string(), tag: z.string() }),
      output: z.object({ ok: z.boolean() }),
      run: async () => ({ ok: true }),
    },
  },
})

const registry = (() => {
  const mutable = createRegistry()
  mutable.addStep(inc)
  mutable.addConnector(crm)
  return mutable.describe()
})()

const definition = (...children: unknown[]) => ({
  kind: 'tessera.workflow',
  schemaVersion: 1,
  id: 'checked',
  version: 'draft',
  inputSchema: z.toJSONSchema(num) as Record<string, unknown>,
  root: { type: 'sequence', id: 'root', children },
})
const action = (extra: Record<string, unknown> = {}) => ({
  type: 'action',
  id: 'find',
  connector: 'crm',
  action: 'find-contact',
  config: { baseUrl: 'https://crm.example.com' },
  ...extra,
})
const issues = (result: DefinitionValidation) =>
  result.issues.map(({ path, code, message }) => `${code} ${path}: ${message}`)

describe('validateDefinition: action nodes', () => {
  it('a builder-made action validates clean, and reads its data flow from the registry', () => {
    const workflow = createWorkflow({ id: 'w', input: num, output: z.object({ name: z.string() }) })
      .then(inc)
      .action(crm, 'find-contact', { baseUrl: 'https://crm.example.com', retries: 2 })
      .commit()
    expect(validateDefinition(workflow.definition, { registry })).toMatchObject({
      ok: true,
      issues: [],
    })
  })

  it('reports an unknown connector and an unknown action, listing the known ones', () => {
    expect(
      issues(validateDefinition(definition(action({ connector: 'erp' })), { registry })),
    ).toEqual([
      'unknown_connector root.children[0].connector: unknown connector "erp"; known: "crm"',
    ])
    expect(
      issues(validateDefinition(definition(action({ action: 'delete' })), { registry })),
    ).toEqual([
      'unknown_action root.children[0].action: connector "crm" has no action "delete"; known: "find-contact", "tag-contact"',
    ])
  })

  it('checks the config against the connector config JSON Schema, each problem at its path', () => {
    const result = validateDefinition(
      definition(
        action({
          config: { baseUrl: 'not a url', retries: 9, headers: [{ name: 'x-key', value: 3 }] },
        }),
      ),
      { registry },
    )
    expect(result.ok).toBe(false)
    expect(result.issues.map(({ code, path }) => `${code} ${path}`)).toEqual([
      'invalid_config root.children[0].config.baseUrl',
      'invalid_config root.children[0].config.retries',
      'invalid_config root.children[0].config.headers[0].value',
    ])
    expect(result.issues[1]!.message).toBe(
      'config of connector "crm" at "retries": Too big: expected number to be <=5',
    )
    // No config at all: the required fields are missing.
    const missing = validateDefinition(definition(action({ config: undefined })), { registry })
    expect(issues(missing)).toEqual([
      'invalid_config root.children[0].config.baseUrl: config of connector "crm" at "baseUrl": Invalid input: expected string, received undefined',
    ])
  })

  it('reports a missing input and a type mismatch like a step', () => {
    const result = validateDefinition(
      definition(action({ id: 'find' }), action({ id: 'tag', action: 'tag-contact' })),
      { registry },
    )
    expect(result.issues.map(({ code, path }) => `${code} ${path}`)).toEqual([
      'missing_input root.children[1]',
    ])
    expect(result.issues[0]!.message).toMatch(/input of action "crm.tag-contact"/)
    const mismatch = validateDefinition(
      {
        ...definition(action()),
        inputSchema: { type: 'object', properties: { n: { type: 'string' } }, required: ['n'] },
      },
      { registry },
    )
    expect(mismatch.issues.map(({ code, path }) => `${code} ${path}`)).toEqual([
      'type_mismatch root.children[0]',
    ])
  })

  it('without a registry, checks only the shape of the node', () => {
    expect(validateDefinition(definition(action({ connector: 'erp' }))).ok).toBe(true)
    expect(
      issues(validateDefinition(definition(action({ config: 'https://crm.example.com' })))),
    ).toEqual([expect.stringMatching(/^invalid_shape root.children\[0\].config/)])
  })
})
