import { z } from 'zod'
import type { ConnectorAction } from '@tessera/core'
import type { HubSpotConfig } from './hubspot-config'
import { withHubSpot, type HubSpotActionSettings } from './hubspot-contact-actions'
import {
  hubspotObjectSchema,
  propertyValuesSchema,
  toHubSpotObject,
  toPropertyStrings,
} from './hubspot-schemas'

/** HubSpot's association type id for deal → contact (HUBSPOT_DEFINED). */
const dealToContact = 3

const dealInput = z
  .object({
    properties: propertyValuesSchema.describe(
      'Deal properties, such as { "dealname": "Acme renewal", "amount": 1200, "pipeline": "default", "dealstage": "appointmentscheduled" }',
    ),
    contactIds: z.array(z.string()).optional().describe('Contacts to associate with the deal'),
    idempotencyProperty: z
      .string()
      .optional()
      .describe(
        "The internal name of a single-line text deal property to store the step's idempotency key in. With it, the action first searches for a deal with that key and returns it instead of creating a second one",
      ),
  })
  .strict()
const dealOutput = hubspotObjectSchema.extend({
  created: z.boolean().describe('False when idempotencyProperty found the deal already created'),
})

/** The `create-deal` action. */
export function createDealAction(
  settings: HubSpotActionSettings,
): ConnectorAction<HubSpotConfig, z.output<typeof dealInput>, z.output<typeof dealOutput>> {
  return {
    title: 'Create a deal',
    description:
      'Creates a deal, optionally associated with contacts; idempotencyProperty makes a retried step return the first deal',
    examples: [
      {
        input: {
          properties: { dealname: 'Acme renewal', amount: 1200, dealstage: 'appointmentscheduled' },
          contactIds: ['101'],
          idempotencyProperty: 'tessera_idempotency_key',
        },
      },
    ],
    input: dealInput,
    output: dealOutput,
    run: ({ config, input, signal, idempotencyKey }) =>
      withHubSpot(settings, 'create-deal', config, signal, async (client, call) => {
        const properties = toPropertyStrings(input.properties)
        if (input.idempotencyProperty !== undefined) {
          const found = await call((options) =>
            client.crm.deals.searchApi.doSearch(
              {
                filterGroups: [
                  {
                    filters: [
                      {
                        propertyName: input.idempotencyProperty!,
                        operator: 'EQ',
                        value: idempotencyKey,
                      },
                    ],
                  },
                ] as never,
                properties: Object.keys(properties),
                limit: 1,
              },
              options,
            ),
          )
          const existing = found.results[0]
          if (existing !== undefined) return { ...toHubSpotObject(existing), created: false }
          properties[input.idempotencyProperty] = idempotencyKey
        }
        const created = await call((options) =>
          client.crm.deals.basicApi.create(
            {
              properties,
              associations: (input.contactIds ?? []).map((id) => ({
                to: { id },
                types: [
                  { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: dealToContact },
                ],
              })) as never,
            },
            options,
          ),
        )
        return { ...toHubSpotObject(created), created: true }
      }),
  }
}
