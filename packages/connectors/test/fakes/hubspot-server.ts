import { startFakeJsonServer, type FakeJsonServer, type FakeReply } from './json-server'

// A local HubSpot CRM API v3 (https://developers.hubspot.com/docs/api/crm/contacts) for the
// HubSpot connector's tests: contacts (create with a 409 on a known email, update by id or
// email, search with filter groups and the `after` cursor), deals (create with associations,
// search), and HubSpot's error body { status: 'error', message, correlationId, category }.

interface FakeRecord {
  id: string
  properties: Record<string, string>
  createdAt: string
  updatedAt: string
  archived: boolean
  associations?: unknown
}

export interface FakeHubSpot extends FakeJsonServer {
  contacts: FakeRecord[]
  deals: FakeRecord[]
}

let correlation = 0
/** HubSpot's error body. */
export function hubspotErrorReply(
  status: number,
  message: string,
  category: string,
  headers?: Record<string, string>,
): FakeReply {
  return {
    status,
    body: { status: 'error', message, correlationId: `corr-${++correlation}`, category },
    ...(headers !== undefined ? { headers } : {}),
  }
}

export async function startFakeHubSpot(options: { token: string }): Promise<FakeHubSpot> {
  const contacts: FakeRecord[] = []
  const deals: FakeRecord[] = []
  let nextId = 101
  const record = (properties: Record<string, string>): FakeRecord => ({
    id: String(nextId++),
    properties: { ...properties },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    archived: false,
  })
  const notFound = hubspotErrorReply(404, 'resource not found', 'OBJECT_NOT_FOUND')
  type Filter = { propertyName: string; operator: string; value?: string }
  const matches = (item: FakeRecord, filterGroups: { filters: Filter[] }[]) =>
    filterGroups.length === 0 ||
    filterGroups.some((group) =>
      group.filters.every((filter) => {
        const value = item.properties[filter.propertyName]
        if (filter.operator === 'EQ') return value === filter.value
        if (filter.operator === 'CONTAINS_TOKEN')
          return value !== undefined && value.includes((filter.value ?? '').replace(/\*/g, ''))
        if (filter.operator === 'HAS_PROPERTY') return value !== undefined
        return false
      }),
    )
  const search = (items: FakeRecord[]) => (request: { body: unknown }) => {
    const body = request.body as {
      filterGroups?: { filters: Filter[] }[]
      properties?: string[]
      limit?: number
      after?: string
    }
    const found = items.filter((item) => matches(item, body.filterGroups ?? []))
    const start = Number(body.after ?? 0)
    // HubSpot caps a search page at 200 results; this server at 3, so paging shows in tests.
    const limit = Math.min(body.limit ?? 10, 3)
    const page = found.slice(start, start + limit)
    return {
      status: 200,
      body: {
        total: found.length,
        results: page.map((item) => ({
          ...item,
          properties: Object.fromEntries(
            (body.properties ?? []).map((name) => [name, item.properties[name] ?? null]),
          ),
        })),
        ...(start + limit < found.length
          ? { paging: { next: { after: String(start + limit), link: '' } } }
          : {}),
      },
    }
  }
  const server = await startFakeJsonServer(
    [
      {
        method: 'GET',
        path: '/crm/v3/objects/contacts',
        handle: () => ({ status: 200, body: { results: contacts.slice(0, 1) } }),
      },
      {
        method: 'POST',
        path: '/crm/v3/objects/contacts',
        handle: (request) => {
          const { properties } = request.body as { properties: Record<string, string> }
          const unknown = Object.keys(properties).filter((name) => name.startsWith('x_'))
          if (unknown.length > 0)
            return hubspotErrorReply(
              400,
              `Property values were not valid: [{"isValid":false,"message":"Property \\"${unknown[0]}\\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"${unknown[0]}"}]`,
              'VALIDATION_ERROR',
            )
          const existing = contacts.find(
            (contact) =>
              properties.email !== undefined && contact.properties.email === properties.email,
          )
          if (existing !== undefined)
            return hubspotErrorReply(
              409,
              `Contact already exists. Existing ID: ${existing.id}`,
              'CONFLICT',
            )
          const created = record(properties)
          contacts.push(created)
          return { status: 201, body: created }
        },
      },
      {
        method: 'PATCH',
        path: '/crm/v3/objects/contacts/:id',
        handle: (request, params) => {
          const byEmail = request.query.get('idProperty') === 'email'
          const contact = contacts.find((item) =>
            byEmail ? item.properties.email === params.id : item.id === params.id,
          )
          if (contact === undefined) return notFound
          Object.assign(contact.properties, (request.body as { properties: object }).properties)
          contact.updatedAt = '2026-01-02T00:00:00.000Z'
          return { status: 200, body: contact }
        },
      },
      { method: 'POST', path: '/crm/v3/objects/contacts/search', handle: search(contacts) },
      {
        method: 'POST',
        path: '/crm/v3/objects/deals',
        handle: (request) => {
          const body = request.body as { properties: Record<string, string>; associations: unknown }
          const created = { ...record(body.properties), associations: body.associations }
          deals.push(created)
          const { associations: _ignored, ...json } = created
          return { status: 201, body: json }
        },
      },
      { method: 'POST', path: '/crm/v3/objects/deals/search', handle: search(deals) },
    ],
    (request) =>
      request.headers.authorization === `Bearer ${options.token}`
        ? undefined
        : hubspotErrorReply(
            401,
            'Authentication credentials not found. This API supports OAuth 2.0 authentication.',
            'INVALID_AUTHENTICATION',
          ),
  )
  return Object.assign(server, { contacts, deals })
}
