import { afterAll } from 'vitest'
import { describeConnectorConformance } from '@tessera/core/testing'
import { startFakeGitHub } from '../../test/fakes/github-server'
import { createGitHubConnector } from './create-github-connector'

// The connector conformance suite on the GitHub connector, against the local GitHub API. GitHub
// has no idempotency header: create-issue with dedupe carries the key in its search query and
// in the issue body's hidden marker, which is where the suite reads it.

const token = 'ghp_conformance_secret_1'
const github = await startFakeGitHub({ token })
const connector = createGitHubConnector()
afterAll(async () => {
  await connector.close()
  await github.close()
})

function lastKey(): string | undefined {
  for (const request of [...github.requests].reverse()) {
    const query = /"tessera:([^"]+)"/.exec(request.query.get('q') ?? '')?.[1]
    if (query !== undefined) return query
    const body = (request.body as { body?: unknown } | undefined)?.body
    const marker = typeof body === 'string' ? /<!-- tessera:(.+?) -->/.exec(body)?.[1] : undefined
    if (marker !== undefined) return marker
  }
  return undefined
}

describeConnectorConformance({
  connector,
  config: () => ({ token: { $secret: 'GITHUB_TOKEN' }, baseUrl: github.url }),
  secrets: { GITHUB_TOKEN: token },
  action: {
    name: 'create-issue',
    input: { owner: 'acme', repo: 'app', title: 'Conformance', dedupe: true },
  },
  unreachable: () => ({ token: { $secret: 'GITHUB_TOKEN' }, baseUrl: 'http://127.0.0.1:1' }),
  rejectedSecrets: { GITHUB_TOKEN: 'ghp_conformance_wrong' },
  slow: () => {
    const hold = github.holdNext()
    return {
      name: 'get-issue',
      input: { owner: 'acme', repo: 'app', issueNumber: 1 },
      inFlight: hold.arrived,
      released: hold.released,
    }
  },
  idempotency: {
    lastReceived: lastKey,
    failNext: () => github.failNext({ status: 502, body: { message: 'Server Error' } }),
  },
})
