import {
  startFakeJsonServer,
  type FakeJsonServer,
  type FakeReply,
  type FakeRoute,
} from './json-server'

// A local Jira Cloud REST API v3 (https://developer.atlassian.com/cloud/jira/platform/rest/v3/)
// for the Jira connector's tests: issues, comments, transitions, enhanced JQL search with
// nextPageToken, /myself, and Jira's error body { errorMessages: [], errors: {} }.

interface FakeJiraIssue {
  id: string
  key: string
  fields: Record<string, unknown>
  properties: { key: string; value: unknown }[]
  comments: { id: string; body: unknown; properties: unknown }[]
}

export interface FakeJira extends FakeJsonServer {
  issues: FakeJiraIssue[]
  transitionsDone: { key: string; body: unknown }[]
}

const transitions = [
  { id: '11', name: 'To Do', to: { name: 'To Do' } },
  { id: '21', name: 'In Progress', to: { name: 'In Progress' } },
  { id: '31', name: 'Done', to: { name: 'Done' } },
]

export async function startFakeJira(options: {
  email: string
  apiToken: string
  pat: string
}): Promise<FakeJira> {
  const issues: FakeJiraIssue[] = []
  const transitionsDone: { key: string; body: unknown }[] = []
  let nextId = 10_000
  const jiraError = (status: number, errorMessages: string[], errors = {}) => ({
    status,
    body: { errorMessages, errors },
  })
  const find = (key: string) => issues.find((issue) => issue.key === key || issue.id === key)
  const missing = jiraError(404, ['Issue does not exist or you do not have permission to see it.'])
  /** Enough JQL for the tests: "project = KEY" (anything else is a JQL error). */
  const matching = (jql: string): FakeJiraIssue[] | FakeReply => {
    const match = /^project\s*=\s*(\w+)/i.exec(jql)
    if (match === null)
      return jiraError(400, [`Error in the JQL Query: '${jql}' is not understood.`])
    return issues.filter((issue) => issue.key.startsWith(`${match[1]}-`))
  }
  const server = await startFakeJsonServer(
    [
      ...(['2', '3'] as const).flatMap((version): FakeRoute[] => [
        {
          method: 'GET',
          path: `/rest/api/${version}/myself`,
          handle: () => ({ status: 200, body: { accountId: 'acc-1', displayName: 'Bot' } }),
        },
        {
          method: 'POST',
          path: `/rest/api/${version}/issue`,
          handle: (request) => {
            const body = request.body as {
              fields: Record<string, any>
              properties?: { key: string; value: unknown }[]
            }
            const errors: Record<string, string> = {}
            if (!body.fields?.summary) errors.summary = 'You must specify a summary of the issue.'
            if (body.fields?.project?.key !== 'OPS') errors.project = 'valid project is required'
            if (Object.keys(errors).length > 0) return jiraError(400, [], errors)
            const id = String(nextId++)
            const key = `OPS-${issues.length + 1}`
            issues.push({
              id,
              key,
              fields: {
                ...body.fields,
                status: { name: 'To Do' },
                reporter: { displayName: 'Bot' },
                assignee: null,
                created: '2026-01-01T00:00:00.000+0000',
                updated: '2026-01-01T00:00:00.000+0000',
                labels: body.fields.labels ?? [],
              },
              properties: body.properties ?? [],
              comments: [],
            })
            return {
              status: 201,
              body: { id, key, self: `${server.url}/rest/api/3/issue/${id}` },
            }
          },
        },
        {
          method: 'GET',
          path: `/rest/api/${version}/issue/:key`,
          handle: (_request, params) => {
            const issue = find(params.key!)
            if (issue === undefined) return missing
            return { status: 200, body: { id: issue.id, key: issue.key, fields: issue.fields } }
          },
        },
        {
          method: 'POST',
          path: `/rest/api/${version}/issue/:key/comment`,
          handle: (request, params) => {
            const issue = find(params.key!)
            if (issue === undefined) return missing
            const body = request.body as { body: unknown; properties?: unknown }
            const id = String(nextId++)
            issue.comments.push({ id, body: body.body, properties: body.properties })
            return {
              status: 201,
              body: { id, body: body.body, created: '2026-01-02T00:00:00.000+0000' },
            }
          },
        },
        {
          method: 'GET',
          path: `/rest/api/${version}/issue/:key/transitions`,
          handle: (_request, params) =>
            find(params.key!) === undefined
              ? missing
              : { status: 200, body: { expand: 'transitions', transitions } },
        },
        {
          method: 'POST',
          path: `/rest/api/${version}/issue/:key/transitions`,
          handle: (request, params) => {
            const issue = find(params.key!)
            if (issue === undefined) return missing
            const body = request.body as { transition: { id: string } }
            const transition = transitions.find((item) => item.id === body.transition.id)
            if (transition === undefined)
              return jiraError(400, [], { transition: 'Transition id is not valid.' })
            issue.fields.status = transition.to
            transitionsDone.push({ key: issue.key, body })
            return { status: 204 }
          },
        },
      ]),
      {
        method: 'GET',
        path: '/rest/api/3/search/jql',
        handle: (request) => {
          const found = matching(request.query.get('jql') ?? '')
          if (!Array.isArray(found)) return found
          const start = Number(request.query.get('nextPageToken') ?? 0)
          const size = Number(request.query.get('maxResults') ?? 50)
          const end = start + size
          const fields = (request.query.get('fields') ?? '').split(',')
          return {
            status: 200,
            body: {
              issues: found.slice(start, end).map((issue) => ({
                id: issue.id,
                key: issue.key,
                fields: Object.fromEntries(
                  Object.entries(issue.fields).filter(([name]) => fields.includes(name)),
                ),
              })),
              ...(end < found.length ? { nextPageToken: String(end) } : {}),
              isLast: end >= found.length,
            },
          }
        },
      },
      {
        method: 'GET',
        path: '/rest/api/2/search',
        handle: (request) => {
          // Data Center's search: startAt / maxResults / total.
          const found = matching(request.query.get('jql') ?? '')
          if (!Array.isArray(found)) return found
          const startAt = Number(request.query.get('startAt') ?? 0)
          // Data Center caps a page too; this server at 3, so paging shows in tests.
          const size = Math.min(Number(request.query.get('maxResults') ?? 50), 3)
          return {
            status: 200,
            body: {
              startAt,
              maxResults: size,
              total: found.length,
              issues: found.slice(startAt, startAt + size).map((issue) => ({
                id: issue.id,
                key: issue.key,
                fields: issue.fields,
              })),
            },
          }
        },
      },
    ],
    (request) => {
      const authorization = request.headers.authorization ?? ''
      const basic = `Basic ${Buffer.from(`${options.email}:${options.apiToken}`).toString('base64')}`
      if (authorization === basic || authorization === `Bearer ${options.pat}`) return undefined
      return jiraError(401, [
        'You are not authenticated. Authentication required to perform this operation.',
      ])
    },
  )
  return Object.assign(server, { issues, transitionsDone })
}
