import { z } from 'zod'
import type { Client } from '@hubspot/api-client'
import type { ConnectorAction } from '@tessera/core'
import { abortableCall, hubspotError, type HubSpotClients } from './hubspot-client'
import type { HubSpotConfig } from './hubspot-config'
import {
  filterGroupsSchema,
  hubspotObjectSchema,
  propertyValuesSchema,
  toHubSpotObject,
  toPropertyStrings,
  type HubSpotObject,
} from './hubspot-schemas'

/** What every HubSpot action builder receives. */
export interface HubSpotActionSettings {
  connectorId: string
  clients: HubSpotClients
}

/** Runs `body` with a client and an abortable call wrapper, mapping failures. */
export async function withHubSpot<T>(
  settings: HubSpotActionSettings,
  action: string,
  config: HubSpotConfig,
  signal: AbortSignal,
  body: (client: Client, call: ReturnType<typeof abortableCall>) => Promise<T>,
): Promise<T> {
  try {
    const client = await settings.clients.get(config, action)
    return await body(client, abortableCall(config, signal))
  } catch (error) {
    throw hubspotError(settings.connectorId, action, error, signal)
  }
}

const createInput = z
  .object({
    properties: propertyValuesSchema,
    ifExists: z
      .enum(['fail', 'update'])
      .optional()
      .describe(
        'What to do when a contact with this email exists (HTTP 409): fail (default, invalid-request) or update it. "update" makes a retried step safe',
      ),
  })
  .strict()
const contactOutput = hubspotObjectSchema.extend({
  created: z.boolean().describe('False when ifExists "update" updated an existing contact'),
})

/** The `create-contact` action. */
export function createContactAction(
  settings: HubSpotActionSettings,
): ConnectorAction<HubSpotConfig, z.output<typeof createInput>, z.output<typeof contactOutput>> {
  return {
    title: 'Create a contact',
    description:
      'Creates a CRM contact; with ifExists "update", an existing contact with the same email is updated instead',
    examples: [
      {
        input: {
          properties: { email: 'ada@example.com', firstname: 'Ada', lastname: 'Lovelace' },
          ifExists: 'update',
        },
      },
    ],
    input: createInput,
    output: contactOutput,
    run: ({ config, input, signal }) =>
      withHubSpot(settings, 'create-contact', config, signal, async (client, call) => {
        const properties = toPropertyStrings(input.properties)
        try {
          const created = await call((options) =>
            client.crm.contacts.basicApi.create({ properties, associations: [] }, options),
          )
          return { ...toHubSpotObject(created), created: true }
        } catch (error) {
          const existing = existingId(error)
          if (input.ifExists !== 'update' || existing === undefined) throw error
          const updated = await call((options) =>
            client.crm.contacts.basicApi.update(existing, { properties }, undefined, options),
          )
          return { ...toHubSpotObject(updated), created: false }
        }
      }),
  }
}

/** The id in HubSpot's 409 "Contact already exists. Existing ID: 123". */
function existingId(error: unknown): string | undefined {
  const { code, body } = (error ?? {}) as { code?: unknown; body?: { message?: unknown } }
  if (code !== 409 || typeof body?.message !== 'string') return undefined
  return /Existing ID:\s*(\d+)/.exec(body.message)?.[1]
}

const updateInput = z
  .object({
    contactId: z
      .string()
      .min(1)
      .describe('The contact id, or the email when idProperty is "email"'),
    idProperty: z
      .literal('email')
      .optional()
      .describe('Set to "email" to address the contact by email instead of id'),
    properties: propertyValuesSchema,
  })
  .strict()

/** The `update-contact` action. */
export function updateContactAction(
  settings: HubSpotActionSettings,
): ConnectorAction<HubSpotConfig, z.output<typeof updateInput>, HubSpotObject> {
  return {
    title: 'Update a contact',
    description: 'Updates the properties of a contact, by id or by email',
    examples: [
      {
        input: {
          contactId: 'ada@example.com',
          idProperty: 'email',
          properties: { lifecyclestage: 'customer' },
        },
      },
    ],
    input: updateInput,
    output: hubspotObjectSchema,
    run: ({ config, input, signal }) =>
      withHubSpot(settings, 'update-contact', config, signal, async (client, call) => {
        const updated = await call((options) =>
          client.crm.contacts.basicApi.update(
            input.contactId,
            { properties: toPropertyStrings(input.properties) },
            input.idProperty,
            options,
          ),
        )
        return toHubSpotObject(updated)
      }),
  }
}

const searchInput = z
  .object({
    filterGroups: filterGroupsSchema.optional(),
    query: z
      .string()
      .optional()
      .describe('Free text matched against default searchable properties'),
    properties: z
      .array(z.string())
      .optional()
      .describe('Properties to return. Default: email, firstname, lastname'),
    sorts: z
      .array(
        z
          .object({
            propertyName: z.string().describe('The property to sort by'),
            direction: z.enum(['ASCENDING', 'DESCENDING']).describe('The sort order'),
          })
          .strict(),
      )
      .optional()
      .describe('Sort order (HubSpot uses the first sort only)'),
    after: z.string().optional().describe('A cursor from a previous search, to continue it'),
    maxItems: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .describe('Stop after this many contacts. Default 100 (HubSpot search stops at 10 000)'),
  })
  .strict()
const searchOutput = z.object({
  contacts: z.array(hubspotObjectSchema),
  total: z.number().int().describe('How many contacts match'),
  after: z.string().nullable().describe('The cursor to continue from, when more matched'),
})

/** The `search-contacts` action. */
export function searchContactsAction(
  settings: HubSpotActionSettings,
): ConnectorAction<HubSpotConfig, z.output<typeof searchInput>, z.output<typeof searchOutput>> {
  return {
    title: 'Search contacts',
    description:
      'Searches contacts with filter groups or free text, following the after cursor up to maxItems',
    examples: [
      {
        input: {
          filterGroups: [
            {
              filters: [
                { propertyName: 'email', operator: 'CONTAINS_TOKEN', value: '*@example.com' },
              ],
            },
          ],
          properties: ['email', 'firstname'],
          maxItems: 50,
        },
      },
    ],
    input: searchInput,
    output: searchOutput,
    run: ({ config, input, signal }) =>
      withHubSpot(settings, 'search-contacts', config, signal, async (client, call) => {
        const maxItems = input.maxItems ?? 100
        const contacts: HubSpotObject[] = []
        let after = input.after
        let total: number
        do {
          const page = await call((options) =>
            client.crm.contacts.searchApi.doSearch(
              {
                filterGroups: (input.filterGroups ?? []) as never,
                ...(input.query !== undefined ? { query: input.query } : {}),
                properties: input.properties ?? ['email', 'firstname', 'lastname'],
                sorts: (input.sorts ?? []) as never,
                limit: Math.min(200, maxItems - contacts.length),
                ...(after !== undefined ? { after } : {}),
              },
              options,
            ),
          )
          total = page.total
          contacts.push(...page.results.map(toHubSpotObject))
          after = page.paging?.next?.after
        } while (after !== undefined && contacts.length < maxItems)
        return { contacts, total, after: after ?? null }
      }),
  }
}
