import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ConnectorError,
  createEngine,
  createWorkflow,
  type Logger,
  type SecretsProviderV1,
} from '@tessera/core'
import { z } from 'zod'
import { actionRunner } from '../../test/action-kit'
import { abortHeldCall } from '../../test/fakes/json-server'
import { startFakeGitHub, type FakeGitHub } from '../../test/fakes/github-server'
import { createGitHubConnector } from './create-github-connector'

// The GitHub connector through the real @octokit/rest against a local server that speaks
// GitHub's REST API (issues, comments, search, contents; errors, rate limits, Link pages).

const token = 'ghp_test_token_123'
const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger
let github: FakeGitHub
const connector = createGitHubConnector()
let config: { token: string; baseUrl: string }

beforeAll(async () => {
  github = await startFakeGitHub({ token })
  config = { token, baseUrl: github.url }
})
afterAll(async () => {
  await connector.close()
  await github.close()
})

const run = actionRunner(
  connector,
  () => config,
  () => 'key-1',
)

describe('GitHub connector', () => {
  it('describes itself: schemas, examples, secret token', () => {
    expect(connector.name).toBe('GitHub')
    expect(Object.keys(connector.actions)).toEqual([
      'create-issue',
      'comment-on-issue',
      'get-issue',
      'list-issues',
      'create-or-update-file',
    ])
    expect(connector.config.safeParse({ token: 'ghp_inline' }).success).toBe(false)
    expect(connector.config.safeParse({ token: { $secret: 'GITHUB_TOKEN' } }).success).toBe(true)
    expect(connector.config.safeParse({ token: { $secret: 'T' }, extra: 1 }).success).toBe(false)
  })

  it('creates, reads and comments on an issue', async () => {
    const created = await run('create-issue', {
      owner: 'acme',
      repo: 'app',
      title: 'Deploy failed',
      body: 'see logs',
      labels: ['ops'],
    })
    expect(created).toMatchObject({ title: 'Deploy failed', labels: ['ops'], created: true })
    expect(github.requests.at(-1)!.headers.authorization).toBe(`token ${token}`)
    const read = await run('get-issue', { owner: 'acme', repo: 'app', issueNumber: created.number })
    expect(read).toMatchObject({ number: created.number, body: 'see logs', author: 'octocat' })
    const comment = await run('comment-on-issue', {
      owner: 'acme',
      repo: 'app',
      issueNumber: created.number,
      body: 'on it',
    })
    expect(comment.url).toContain('#issuecomment-')
    expect(github.comments.at(-1)).toEqual({ issue: created.number, body: 'on it' })
  })

  it('dedupe: a retried create-issue returns the issue the first attempt opened', async () => {
    const before = github.issues.length
    const input = { owner: 'acme', repo: 'app', title: 'Once', body: 'only once', dedupe: true }
    const first = await run('create-issue', input, { key: 'run-7:open' })
    const second = await run('create-issue', input, { key: 'run-7:open' })
    expect(first.created).toBe(true)
    expect(second).toMatchObject({ created: false, number: first.number })
    expect(github.issues.length).toBe(before + 1)
    expect(github.issues.at(-1)!.body).toBe('only once\n\n<!-- tessera:run-7:open -->')
    const other = await run('create-issue', input, { key: 'run-8:open' })
    expect(other.created).toBe(true)
  })

  it('list-issues follows Link pages up to maxItems and leaves pull requests out', async () => {
    for (let index = 0; index < 7; index++) github.addIssue(`bulk ${index}`, null)
    github.addIssue('a pull request', null, { pull_request: { url: 'x' } })
    const all = await run('list-issues', { owner: 'acme', repo: 'app', state: 'all' })
    expect(all.truncated).toBe(false)
    expect(all.issues.length).toBe(github.issues.length - 1)
    expect(all.issues.every((issue: { isPullRequest: boolean }) => !issue.isPullRequest)).toBe(true)
    const requestsBefore = github.requests.length
    const some = await run('list-issues', { owner: 'acme', repo: 'app', maxItems: 3 })
    expect(some).toMatchObject({ truncated: true })
    expect(some.issues).toHaveLength(3)
    // per_page 3: two pages were needed, the first page's Link header led to the second.
    expect(github.requests.length - requestsBefore).toBe(2)
    expect(github.requests.at(-1)!.query.get('page')).toBe('2')
  })

  it('create-or-update-file commits base64 content; a wrong sha is invalid-request', async () => {
    const input = { owner: 'acme', repo: 'app', path: 'status.md', content: 'ok ✓', message: 'm' }
    const created = await run('create-or-update-file', input)
    expect(created).toMatchObject({ created: true, path: 'status.md' })
    expect(github.files.get('status.md')!.content).toBe('ok ✓')
    const updated = await run('create-or-update-file', { ...input, sha: created.sha })
    expect(updated.created).toBe(false)
    await expect(run('create-or-update-file', { ...input, sha: 'stale' })).rejects.toMatchObject({
      reason: 'invalid-request',
      status: 409,
    })
  })

  it('maps errors: 401, 404, 422 with errors, 403 rate limit, 429, 5xx, network', async () => {
    const bad = run(
      'get-issue',
      { owner: 'acme', repo: 'app', issueNumber: 1 },
      {
        config: { token: 'wrong-token', baseUrl: github.url },
      },
    )
    await expect(bad).rejects.toMatchObject({ reason: 'unauthorized', status: 401 })
    await bad.catch((error: Error) => expect(error.message).not.toContain('wrong-token'))
    await expect(
      run('get-issue', { owner: 'acme', repo: 'app', issueNumber: 9999 }),
    ).rejects.toMatchObject({ reason: 'not-found', status: 404, retryable: false })
    github.failNext({
      status: 422,
      body: {
        message: 'Validation Failed',
        errors: [{ resource: 'Issue', code: 'invalid', field: 'assignees' }],
      },
    })
    const validation = await run('create-issue', { owner: 'acme', repo: 'app', title: 't' }).catch(
      (error: unknown) => error,
    )
    expect(ConnectorError.isInstance(validation)).toBe(true)
    expect(validation).toMatchObject({ reason: 'invalid-request', status: 422 })
    expect((validation as Error).message).toContain('"field":"assignees"')

    const reset = Math.floor(Date.now() / 1000) + 120
    github.failNext({
      status: 403,
      body: { message: 'API rate limit exceeded for user ID 1.' },
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
    })
    const limited = await run('get-issue', { owner: 'acme', repo: 'app', issueNumber: 1 }).catch(
      (error: unknown) => error as ConnectorError,
    )
    expect(limited).toMatchObject({ reason: 'rate-limited', retryable: true, status: 403 })
    expect(limited.retryAfterMs).toBeGreaterThan(100_000)
    expect(limited.retryAfterMs).toBeLessThanOrEqual(120_000)

    github.failNext({
      status: 429,
      body: { message: 'secondary' },
      headers: { 'retry-after': '7' },
    })
    await expect(
      run('get-issue', { owner: 'acme', repo: 'app', issueNumber: 1 }),
    ).rejects.toMatchObject({ reason: 'rate-limited', retryAfterMs: 7000 })

    github.failNext({ status: 403, body: { message: 'Resource not accessible by integration' } })
    await expect(
      run('get-issue', { owner: 'acme', repo: 'app', issueNumber: 1 }),
    ).rejects.toMatchObject({ reason: 'unauthorized', status: 403 })

    github.failNext({ status: 502, body: { message: 'Server Error' } })
    await expect(
      run('get-issue', { owner: 'acme', repo: 'app', issueNumber: 1 }),
    ).rejects.toMatchObject({ reason: 'remote', status: 502, retryable: true })

    await expect(
      run(
        'get-issue',
        { owner: 'acme', repo: 'app', issueNumber: 1 },
        {
          config: { token, baseUrl: 'http://127.0.0.1:1' },
        },
      ),
    ).rejects.toMatchObject({ reason: 'network', retryable: true })
  })

  it('abort stops the pending request', async () => {
    expect(
      await abortHeldCall(github, (signal) =>
        run('get-issue', { owner: 'acme', repo: 'app', issueNumber: 1 }, { signal }),
      ),
    ).toMatchObject({
      reason: 'aborted',
    })
  })

  it('check reads the authenticated user and maps a bad token', async () => {
    const signal = new AbortController().signal
    await expect(connector.check!({ config, signal, logger })).resolves.toBeUndefined()
    await expect(
      connector.check!({ config: { ...config, token: 'nope' }, signal, logger }),
    ).rejects.toMatchObject({ reason: 'unauthorized', action: 'check' })
  })

  it('runs as a workflow action node through the engine', async () => {
    const workflow = createWorkflow({ id: 'open-issue', input: z.object({ title: z.string() }) })
      .map(({ input }) => ({ owner: 'acme', repo: 'app', title: input.title, dedupe: true }))
      .action(connector, 'create-issue', {
        token: { $secret: 'GITHUB_TOKEN' },
        baseUrl: github.url,
      })
      .commit()
    const secrets: SecretsProviderV1 = {
      specificationVersion: 'v1',
      provider: 'test',
      get: async (name) => (name === 'GITHUB_TOKEN' ? token : undefined),
    }
    const engine = createEngine({ secrets })
    try {
      const started = await engine.start(workflow, { title: 'from a workflow' })
      const output = (await started.result()) as { created: boolean; body: string }
      expect(output.created).toBe(true)
      expect(output.body).toContain(`<!-- tessera:${started.id}:`)
    } finally {
      await engine.close()
    }
  })
})
