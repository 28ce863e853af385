// Helpers of the connector conformance suite (not exported from @tessera/core/testing).
import type { LogFields, Logger } from '../ports/logger'
import { secretSchemaKeyword } from '../ports/secrets-provider-v1'

/** Field names that look like credentials: such config fields must be secret references. */
export const credentialName = /token|secret|password|passwd|api.?key|private.?key|credential/i

export type JsonSchema = Record<string, unknown>

/** Every property of a JSON Schema (deep, through unions and arrays), with its path. */
export function schemaProperties(
  root: JsonSchema,
): { path: (string | number)[]; name: string; schema: JsonSchema }[] {
  const found: { path: (string | number)[]; name: string; schema: JsonSchema }[] = []
  const seen = new Set<unknown>()
  const resolve = (schema: JsonSchema): JsonSchema => {
    const ref = schema.$ref
    if (typeof ref !== 'string' || !ref.startsWith('#/')) return schema
    let target: unknown = root
    for (const part of ref.slice(2).split('/')) target = (target as JsonSchema)?.[part]
    return (target as JsonSchema) ?? schema
  }
  const visit = (raw: unknown, path: (string | number)[]) => {
    if (typeof raw !== 'object' || raw === null) return
    const schema = resolve(raw as JsonSchema)
    if (seen.has(schema) || schema[secretSchemaKeyword] === true) return
    seen.add(schema)
    for (const [name, property] of Object.entries(
      (schema.properties as Record<string, JsonSchema> | undefined) ?? {},
    )) {
      found.push({ path: [...path, name], name, schema: resolve(property) })
      visit(property, [...path, name])
    }
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const)
      for (const member of (schema[key] as unknown[] | undefined) ?? []) visit(member, path)
    if (schema.items) visit(schema.items, [...path, 0])
    if (typeof schema.additionalProperties === 'object')
      visit(schema.additionalProperties, [...path, '*'])
  }
  visit(root, [])
  return found
}

/** The schema, or a member of its union, that matches `test`. */
export function someMember(schema: JsonSchema, test: (member: JsonSchema) => boolean): boolean {
  if (test(schema)) return true
  return (['anyOf', 'oneOf', 'allOf'] as const).some((key) =>
    ((schema[key] as JsonSchema[] | undefined) ?? []).some((member) => someMember(member, test)),
  )
}

export const hasDescription = (schema: JsonSchema) =>
  someMember(
    schema,
    (member) => typeof member.description === 'string' && member.description !== '',
  )

/** A logger that keeps every line as JSON text. */
export function captureLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  const make = (bindings: LogFields): Logger => {
    const write = (level: string) => (message: string, fields?: LogFields) => {
      lines.push(JSON.stringify({ level, message, ...bindings, ...fields }))
    }
    return {
      debug: write('debug'),
      info: write('info'),
      warn: write('warn'),
      error: write('error'),
      child: (more) => make({ ...bindings, ...more }),
    }
  }
  return Object.assign(make({}), { lines })
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** `promise`'s rejection, or a failure naming `what` when it resolves or hangs. */
export async function rejectionOf(promise: Promise<unknown>, timeoutMs: number, what: string) {
  let timer: ReturnType<typeof setTimeout> | undefined
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not settle within ${timeoutMs} ms`)),
      timeoutMs,
    )
  })
  try {
    await Promise.race([promise, hang])
  } catch (error) {
    return error as unknown
  } finally {
    clearTimeout(timer)
  }
  throw new Error(`${what} succeeded, but it should have failed`)
}

/** Waits for `promise`, failing with `what` when it hangs. */
export async function settles(promise: Promise<unknown>, timeoutMs: number, what: string) {
  let timer: ReturnType<typeof setTimeout> | undefined
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} hung for ${timeoutMs} ms`)), timeoutMs)
  })
  try {
    await Promise.race([promise.catch(() => undefined), hang])
  } finally {
    clearTimeout(timer)
  }
}
