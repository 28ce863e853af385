// @tessera/connectors/github: GitHub on @octokit/rest (an optional peer, loaded lazily).
export {
  createGitHubConnector,
  githubConnector,
  type GitHubConnector,
  type GitHubConnectorSettings,
} from './create-github-connector'
export { githubConfigSchema, type GitHubConfig } from './github-config'
export { githubIssueSchema, type GitHubIssue } from './github-schemas'
export { type GitHubClientFactory } from './github-client'
export { idempotencyMarker as githubIdempotencyMarker } from './github-issue-actions'
