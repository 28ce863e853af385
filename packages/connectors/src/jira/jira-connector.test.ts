import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  ConnectorError,
  createEngine,
  createWorkflow,
  type Logger,
  type SecretsProviderV1,
} from '@tessera/core'
import { abortHeldCall } from '../../test/fakes/json-server'
import { startFakeJira, type FakeJira } from '../../test/fakes/jira-server'
import { createJiraConnector } from './create-jira-connector'
import { adfToText, textToAdf } from './jira-text'

// The Jira connector through the real jira.js Version3Client against a local server that speaks
// Jira Cloud's REST API v3.

const logger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger
const credentials = { email: 'bot@acme.test', apiToken: 'atl-token-1', pat: 'pat-token-2' }
const connector = createJiraConnector()
let jira: FakeJira
let basic: { host: string; email: string; apiToken: string }

beforeAll(async () => {
  jira = await startFakeJira(credentials)
  basic = { host: jira.url, email: credentials.email, apiToken: credentials.apiToken }
})
afterAll(async () => {
  await connector.close()
  await jira.close()
})

function run(
  name: keyof typeof connector.actions,
  input: unknown,
  options: { config?: object; signal?: AbortSignal; idempotencyKey?: string } = {},
) {
  const action = connector.actions[name] as unknown as {
    input: z.ZodType
    run(context: unknown): Promise<any>
  }
  return action.run({
    config: options.config ?? basic,
    input: action.input.parse(input),
    signal: options.signal ?? new AbortController().signal,
    idempotencyKey: options.idempotencyKey ?? 'key-1',
    logger,
  })
}

describe('Jira connector', () => {
  it('config: basic auth or a PAT, as secret references only', () => {
    const parse = (config: object) => connector.config.safeParse(config).success
    expect(
      parse({ host: 'https://a.atlassian.net', email: 'a@b.co', apiToken: { $secret: 'T' } }),
    ).toBe(true)
    expect(parse({ host: 'https://jira.example', token: { $secret: 'PAT' } })).toBe(true)
    expect(parse({ host: 'https://jira.example', token: 'inline' })).toBe(false)
    expect(parse({ host: 'https://jira.example', email: 'a@b.co' })).toBe(false)
    expect(parse({ host: 'https://jira.example' })).toBe(false)
    expect(
      parse({
        host: 'https://j.example',
        email: 'a@b.co',
        apiToken: { $secret: 'T' },
        token: { $secret: 'P' },
      }),
    ).toBe(false)
  })

  it('text ↔ ADF', () => {
    const adf = textToAdf('First line\nsecond line\n\nNext paragraph')
    expect(adf.content).toHaveLength(2)
    expect(adfToText(adf)).toBe('First line\nsecond line\n\nNext paragraph')
  })

  it('creates an issue (ADF description, idempotency property), reads it, comments', async () => {
    const created = await run(
      'create-issue',
      {
        projectKey: 'OPS',
        issueType: 'Task',
        summary: 'Rotate the password',
        description: 'Due this week.\n\nSee the runbook.',
        labels: ['security'],
      },
      { idempotencyKey: 'run-1:create' },
    )
    expect(created).toEqual({
      id: expect.any(String),
      key: 'OPS-1',
      url: `${jira.url}/browse/OPS-1`,
    })
    const stored = jira.issues[0]!
    expect(stored.fields.description).toMatchObject({ type: 'doc', version: 1 })
    expect(stored.properties).toEqual([
      { key: 'tessera.idempotency', value: { idempotencyKey: 'run-1:create' } },
    ])
    const issue = await run('get-issue', { issueKey: 'OPS-1' })
    expect(issue).toMatchObject({
      key: 'OPS-1',
      summary: 'Rotate the password',
      description: 'Due this week.\n\nSee the runbook.',
      status: 'To Do',
      issueType: 'Task',
      project: 'OPS',
      labels: ['security'],
    })
    const comment = await run('add-comment', { issueKey: 'OPS-1', body: 'On it.' })
    expect(comment.id).toEqual(expect.any(String))
    expect(adfToText(stored.comments[0]!.body)).toBe('On it.')
  })

  it('PAT (bearer) authentication works too', async () => {
    const issue = await run(
      'get-issue',
      { issueKey: 'OPS-1' },
      {
        config: { host: jira.url, token: credentials.pat },
      },
    )
    expect(issue.key).toBe('OPS-1')
    expect(jira.requests.at(-1)!.headers.authorization).toBe(`Bearer ${credentials.pat}`)
    // A personal access token means Data Center / Server: REST API v2.
    expect(jira.requests.at(-1)!.path).toBe('/rest/api/2/issue/OPS-1')
  })

  it('Data Center (API v2): plain-text description and comment, search paged by startAt', async () => {
    const dataCenter = { config: { host: jira.url, token: credentials.pat } }
    const created = await run(
      'create-issue',
      { projectKey: 'OPS', issueType: 'Task', summary: 'On DC', description: 'Line one\n\nTwo' },
      dataCenter,
    )
    expect(jira.requests.at(-1)!.path).toBe('/rest/api/2/issue')
    const stored = jira.issues.find((issue) => issue.key === created.key)!
    expect(stored.fields.description).toBe('Line one\n\nTwo')
    expect(await run('get-issue', { issueKey: created.key }, dataCenter)).toMatchObject({
      description: 'Line one\n\nTwo',
    })
    await run('add-comment', { issueKey: created.key, body: 'plain' }, dataCenter)
    expect(stored.comments.at(-1)!.body).toBe('plain')
    // 2 issues so far; more so that the v2 search needs pages of 3.
    for (let index = 0; index < 3; index++)
      await run(
        'create-issue',
        { projectKey: 'OPS', issueType: 'Task', summary: `dc ${index}` },
        dataCenter,
      )
    const before = jira.requests.length
    const found = await run('search-issues', { jql: 'project = OPS' }, dataCenter)
    expect(found.truncated).toBe(false)
    expect(found.issues).toHaveLength(jira.issues.length)
    const pages = jira.requests.slice(before)
    expect(pages.map((request) => request.path)).toEqual(pages.map(() => '/rest/api/2/search'))
    expect(pages.map((request) => request.query.get('startAt'))).toEqual(['0', '3'])
    const some = await run('search-issues', { jql: 'project = OPS', maxItems: 4 }, dataCenter)
    expect(some).toMatchObject({ truncated: true })
    expect(some.issues).toHaveLength(4)
    // apiVersion overrides the default: a PAT against API v3.
    await run(
      'get-issue',
      { issueKey: 'OPS-1' },
      {
        config: { host: jira.url, token: credentials.pat, apiVersion: '3' },
      },
    )
    expect(jira.requests.at(-1)!.path).toBe('/rest/api/3/issue/OPS-1')
  })

  it('transitions by name; an unknown transition is not-found and lists the choices', async () => {
    const done = await run('transition-issue', {
      issueKey: 'OPS-1',
      transition: 'done',
      comment: 'Closing',
    })
    expect(done).toEqual({ transitionId: '31', transitionName: 'Done', status: 'Done' })
    expect(jira.transitionsDone.at(-1)).toMatchObject({
      key: 'OPS-1',
      body: { transition: { id: '31' } },
    })
    const error = await run('transition-issue', { issueKey: 'OPS-1', transition: 'Archive' }).catch(
      (caught: unknown) => caught as ConnectorError,
    )
    expect(error).toMatchObject({ reason: 'not-found' })
    expect(error.message).toContain('"In Progress" (21)')
  })

  it('search-issues follows nextPageToken up to maxItems', async () => {
    for (let index = 0; index < 6; index++)
      await run('create-issue', { projectKey: 'OPS', issueType: 'Task', summary: `bulk ${index}` })
    const all = await run('search-issues', { jql: 'project = OPS' })
    expect(all.truncated).toBe(false)
    expect(all.issues.map((issue: { key: string }) => issue.key)).toHaveLength(jira.issues.length)
    const before = jira.requests.length
    const some = await run('search-issues', { jql: 'project = OPS', maxItems: 5 })
    expect(some).toMatchObject({ truncated: true })
    expect(some.issues).toHaveLength(5)
    expect(some.issues[0]).toMatchObject({ key: 'OPS-1', summary: 'Rotate the password' })
    expect(jira.requests.length - before).toBe(1)
    // Pages of 3: the connector asks for the rest with the page token.
    const paged = await run('search-issues', { jql: 'project = OPS', maxItems: 3 })
    expect(paged.issues).toHaveLength(3)
    jira.failNext({
      status: 200,
      body: { issues: [{ id: '1', key: 'OPS-1', fields: {} }], nextPageToken: '1', isLast: false },
    })
    const twoPages = await run('search-issues', { jql: 'project = OPS', maxItems: 3 })
    expect(jira.requests.at(-1)!.query.get('nextPageToken')).toBe('1')
    expect(twoPages.issues.map((issue: { key: string }) => issue.key)).toEqual([
      'OPS-1',
      'OPS-2',
      'OPS-3',
    ])
  })

  it("maps Jira's errors", async () => {
    const bad = await run(
      'get-issue',
      { issueKey: 'OPS-1' },
      {
        config: { ...basic, apiToken: 'wrong-token' },
      },
    ).catch((caught: unknown) => caught as ConnectorError)
    expect(bad).toMatchObject({ reason: 'unauthorized', status: 401 })
    expect(bad.message).not.toContain('wrong-token')
    await expect(run('get-issue', { issueKey: 'OPS-999' })).rejects.toMatchObject({
      reason: 'not-found',
      status: 404,
      message: expect.stringContaining('Issue does not exist'),
    })
    await expect(
      run('create-issue', { projectKey: 'NOPE', issueType: 'Task', summary: 's' }),
    ).rejects.toMatchObject({
      reason: 'invalid-request',
      status: 400,
      message: expect.stringContaining('project: valid project is required'),
    })
    await expect(run('search-issues', { jql: 'order by nothing' })).rejects.toMatchObject({
      reason: 'invalid-request',
      message: expect.stringContaining('Error in the JQL Query'),
    })
    jira.failNext({
      status: 429,
      body: { errorMessages: ['Rate limit exceeded.'] },
      headers: { 'retry-after': '3' },
    })
    await expect(run('get-issue', { issueKey: 'OPS-1' })).rejects.toMatchObject({
      reason: 'rate-limited',
      retryAfterMs: 3000,
      retryable: true,
    })
    jira.failNext({ status: 503, body: { errorMessages: ['Service unavailable'] } })
    await expect(run('get-issue', { issueKey: 'OPS-1' })).rejects.toMatchObject({
      reason: 'remote',
      status: 503,
      retryable: true,
    })
    await expect(
      run('get-issue', { issueKey: 'OPS-1' }, { config: { ...basic, host: 'http://127.0.0.1:1' } }),
    ).rejects.toMatchObject({ reason: 'network' })
    expect(
      connector.actions['get-issue'].input.safeParse({ issueKey: '../../admin' }).success,
    ).toBe(false)
  })

  it('abort stops the pending request', async () => {
    expect(
      await abortHeldCall(jira, (signal) => run('get-issue', { issueKey: 'OPS-1' }, { signal })),
    ).toMatchObject({
      reason: 'aborted',
    })
  })

  it('check reads /myself', async () => {
    const signal = new AbortController().signal
    await expect(connector.check!({ config: basic, signal, logger })).resolves.toBeUndefined()
    await expect(
      connector.check!({ config: { host: jira.url, token: 'bad' }, signal, logger }),
    ).rejects.toMatchObject({ reason: 'unauthorized', action: 'check' })
  })

  it('runs as a workflow action node through the engine', async () => {
    const workflow = createWorkflow({
      id: 'jira-incident',
      input: z.object({ summary: z.string() }),
    })
      .map(({ input }) => ({ projectKey: 'OPS', issueType: 'Bug', summary: input.summary }))
      .action(connector, 'create-issue', {
        host: jira.url,
        email: credentials.email,
        apiToken: { $secret: 'JIRA_API_TOKEN' },
      })
      .commit()
    const secrets: SecretsProviderV1 = {
      specificationVersion: 'v1',
      provider: 'test',
      get: async (name) => (name === 'JIRA_API_TOKEN' ? credentials.apiToken : undefined),
    }
    const engine = createEngine({ secrets })
    try {
      const started = await engine.start(workflow, { summary: 'Pager fired' })
      const output = (await started.result()) as { key: string }
      const stored = jira.issues.find((issue) => issue.key === output.key)!
      expect(stored.fields.summary).toBe('Pager fired')
      expect(stored.properties[0]!.value).toEqual({
        idempotencyKey: expect.stringContaining(started.id),
      })
    } finally {
      await engine.close()
    }
  })
})
