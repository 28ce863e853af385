import { z } from 'zod'

/**
 * A CRM record (contact or deal) as the HubSpot connector returns it: its id, its properties
 * (HubSpot sends every value as a string, or null), and timestamps as ISO strings.
 *
 * @example
 * ```ts
 * const contact = hubspotObjectSchema.parse(output)
 * contact.properties.email
 * ```
 */
export const hubspotObjectSchema = z.object({
  id: z.string().describe('The record id'),
  properties: z.record(z.string(), z.string().nullable()).describe('Property values'),
  createdAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
  archived: z.boolean(),
})

/**
 * A CRM record as the HubSpot connector returns it.
 *
 * @example
 * ```ts
 * const email = (contact: HubSpotObject) => contact.properties.email ?? undefined
 * ```
 */
export type HubSpotObject = z.output<typeof hubspotObjectSchema>

/** Property values to write: HubSpot takes strings; numbers and booleans are converted. */
export const propertyValuesSchema = z
  .record(z.string().min(1), z.union([z.string(), z.number(), z.boolean(), z.null()]))
  .describe('Property values by internal name, such as { "email": "ada@example.com" }')

/** Property values as the SDK wants them (strings). */
export function toPropertyStrings(
  values: Record<string, string | number | boolean | null>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [name, value === null ? '' : String(value)]),
  )
}

const iso = (value: unknown): string | null =>
  value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : null

/** The SDK's `SimplePublicObject` → {@link HubSpotObject}. */
export function toHubSpotObject(raw: {
  id: string
  properties?: Record<string, string | null>
  createdAt?: unknown
  updatedAt?: unknown
  archived?: boolean
}): HubSpotObject {
  return {
    id: String(raw.id),
    properties: { ...raw.properties },
    createdAt: iso(raw.createdAt),
    updatedAt: iso(raw.updatedAt),
    archived: raw.archived ?? false,
  }
}

const filterSchema = z
  .object({
    propertyName: z.string().min(1).describe('The internal property name, such as email'),
    operator: z
      .enum([
        'EQ',
        'NEQ',
        'LT',
        'LTE',
        'GT',
        'GTE',
        'BETWEEN',
        'IN',
        'NOT_IN',
        'HAS_PROPERTY',
        'NOT_HAS_PROPERTY',
        'CONTAINS_TOKEN',
        'NOT_CONTAINS_TOKEN',
      ])
      .describe('How the property compares with value (CONTAINS_TOKEN takes * wildcards)'),
    value: z.string().optional().describe('The value to compare with'),
    highValue: z.string().optional().describe('The upper bound, for BETWEEN'),
    values: z.array(z.string()).optional().describe('For IN and NOT_IN'),
  })
  .strict()

/** HubSpot's search filters: groups are ORed, the filters in a group ANDed. */
export const filterGroupsSchema = z
  .array(
    z
      .object({
        filters: z.array(filterSchema).min(1).describe('Filters, all of which must match'),
      })
      .strict(),
  )
  .max(5)
  .describe('Filter groups (ORed; the filters inside a group are ANDed), at most 5')
