import { startFakeJsonServer, type FakeJsonServer, type SeenRequest } from './json-server'

// A local GitHub REST API (https://docs.github.com/en/rest) for the GitHub connector's tests:
// issues, comments, search, contents and /user, with GitHub's error bodies
// ({ message, documentation_url }), 422 validation errors and Link-header pagination.

interface FakeIssue {
  id: number
  number: number
  title: string
  body: string | null
  state: 'open' | 'closed'
  labels: { name: string }[]
  assignees: { login: string }[]
  user: { login: string }
  comments: number
  created_at: string
  updated_at: string
  html_url: string
  pull_request?: { url: string }
}

export interface FakeGitHub extends FakeJsonServer {
  issues: FakeIssue[]
  comments: { issue: number; body: string }[]
  files: Map<string, { content: string; sha: string; message: string }>
  addIssue(title: string, body: string | null, extra?: Partial<FakeIssue>): FakeIssue
}

const docs = 'https://docs.github.com/rest'

export async function startFakeGitHub(options: { token: string }): Promise<FakeGitHub> {
  const issues: FakeIssue[] = []
  const comments: { issue: number; body: string }[] = []
  const files = new Map<string, { content: string; sha: string; message: string }>()
  let nextId = 1000
  // eslint-disable-next-line prefer-const -- assigned once the routes (which read it) exist
  let server!: FakeJsonServer
  const issueJson = (issue: FakeIssue) => ({
    ...issue,
    url: `${server.url}/repos/acme/app/issues/${issue.number}`,
  })
  const findIssue = (params: Record<string, string>) =>
    params.owner === 'acme' && params.repo === 'app'
      ? issues.find((issue) => issue.number === Number(params.number))
      : undefined
  const notFound = { status: 404, body: { message: 'Not Found', documentation_url: docs } }
  const add = (title: string, body: string | null, extra: Partial<FakeIssue> = {}) => {
    const number = issues.length + 1
    const issue: FakeIssue = {
      id: nextId++,
      number,
      title,
      body,
      state: 'open',
      labels: [],
      assignees: [],
      user: { login: 'octocat' },
      comments: 0,
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
      html_url: `https://github.example/acme/app/issues/${number}`,
      ...extra,
    }
    issues.push(issue)
    return issue
  }
  const page = (request: SeenRequest, path: string, items: unknown[]) => {
    const perPage = Number(request.query.get('per_page') ?? 30)
    const pageNumber = Number(request.query.get('page') ?? 1)
    const slice = items.slice((pageNumber - 1) * perPage, pageNumber * perPage)
    const last = Math.max(1, Math.ceil(items.length / perPage))
    const link = (n: number, rel: string) => {
      const query = new URLSearchParams(request.query)
      query.set('page', String(n))
      return `<${server.url}${path}?${query}>; rel="${rel}"`
    }
    const links = [
      ...(pageNumber < last ? [link(pageNumber + 1, 'next'), link(last, 'last')] : []),
      ...(pageNumber > 1 ? [link(1, 'first'), link(pageNumber - 1, 'prev')] : []),
    ]
    return {
      status: 200,
      body: slice,
      headers: links.length > 0 ? { link: links.join(', ') } : undefined,
    }
  }

  server = await startFakeJsonServer(
    [
      {
        method: 'GET',
        path: '/user',
        handle: () => ({ status: 200, body: { login: 'octocat', id: 1 } }),
      },
      {
        method: 'POST',
        path: '/repos/:owner/:repo/issues',
        handle: (request, params) => {
          if (params.owner !== 'acme' || params.repo !== 'app') return notFound
          const body = request.body as { title?: unknown; body?: string; labels?: string[] }
          if (typeof body?.title !== 'string' || body.title === '')
            return {
              status: 422,
              body: {
                message: 'Validation Failed',
                errors: [{ resource: 'Issue', code: 'missing_field', field: 'title' }],
                documentation_url: docs,
              },
            }
          const issue = add(body.title, body.body ?? null, {
            labels: (body.labels ?? []).map((name) => ({ name })),
          })
          return { status: 201, body: issueJson(issue) }
        },
      },
      {
        method: 'GET',
        path: '/repos/:owner/:repo/issues',
        handle: (request, params) => {
          if (params.owner !== 'acme' || params.repo !== 'app') return notFound
          const state = request.query.get('state') ?? 'open'
          const items = issues.filter((issue) => state === 'all' || issue.state === state)
          return page(request, `/repos/${params.owner}/${params.repo}/issues`, items.map(issueJson))
        },
      },
      {
        method: 'GET',
        path: '/repos/:owner/:repo/issues/:number',
        handle: (_request, params) => {
          const issue = findIssue(params)
          return issue === undefined ? notFound : { status: 200, body: issueJson(issue) }
        },
      },
      {
        method: 'POST',
        path: '/repos/:owner/:repo/issues/:number/comments',
        handle: (request, params) => {
          const issue = findIssue(params)
          if (issue === undefined) return notFound
          const body = (request.body as { body: string }).body
          comments.push({ issue: issue.number, body })
          issue.comments += 1
          const id = nextId++
          return {
            status: 201,
            body: {
              id,
              body,
              html_url: `${issue.html_url}#issuecomment-${id}`,
              created_at: '2026-01-02T00:00:00Z',
            },
          }
        },
      },
      {
        method: 'GET',
        path: '/search/issues',
        handle: (request) => {
          // Enough of GitHub's search syntax for the connector: repo:, is:issue, in:body "…".
          const q = request.query.get('q') ?? ''
          const phrase = /"([^"]+)"/.exec(q)?.[1] ?? ''
          const found = issues.filter((issue) => (issue.body ?? '').includes(phrase))
          return {
            status: 200,
            body: {
              total_count: found.length,
              incomplete_results: false,
              items: found.map(issueJson),
            },
          }
        },
      },
      {
        method: 'PUT',
        path: '/repos/:owner/:repo/contents/:path',
        handle: (request, params) => {
          const body = request.body as {
            message: string
            content: string
            sha?: string
            branch?: string
          }
          const existing = files.get(params.path!)
          if (existing !== undefined && body.sha !== existing.sha)
            return {
              status: 409,
              body: {
                message: `${params.path} does not match ${body.sha ?? ''}`,
                documentation_url: docs,
              },
            }
          const sha = `sha${nextId++}`
          files.set(params.path!, {
            content: Buffer.from(body.content, 'base64').toString(),
            sha,
            message: body.message,
          })
          return {
            status: existing === undefined ? 201 : 200,
            body: {
              content: {
                name: params.path,
                path: params.path,
                sha,
                html_url: `https://github.example/acme/app/blob/main/${params.path}`,
              },
              commit: { sha: `commit${nextId++}`, message: body.message },
            },
          }
        },
      },
    ],
    (request) => {
      const authorization = request.headers.authorization ?? ''
      if (authorization !== `token ${options.token}` && authorization !== `bearer ${options.token}`)
        return {
          status: 401,
          body: { message: 'Bad credentials', documentation_url: docs, status: '401' },
        }
      return undefined
    },
  )
  return Object.assign(server, { issues, comments, files, addIssue: add })
}
