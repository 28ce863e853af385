// @tessera/connectors/jira: Jira on jira.js (an optional peer, loaded lazily).
export {
  createJiraConnector,
  jiraConnector,
  type JiraConnector,
  type JiraConnectorSettings,
} from './create-jira-connector'
export { jiraConfigSchema, type JiraConfig } from './jira-config'
export { jiraIssueSchema, type JiraIssue } from './jira-schemas'
export { jiraIdempotencyProperty } from './jira-issue-actions'
export { textToAdf, adfToText, type AdfDocument } from './jira-text'
