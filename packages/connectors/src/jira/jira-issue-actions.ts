import { z } from 'zod'
import { ConnectorError, type ConnectorAction } from '@tessera/core'
import { jiraApi, jiraError, type JiraClients, type JiraSdk } from './jira-client'
import { jiraApiVersion, type JiraConfig } from './jira-config'
import { issueKeySchema, jiraIssueSchema, toJiraIssue, type JiraIssue } from './jira-schemas'
import { textToAdf } from './jira-text'

/** What every Jira action builder receives. */
export interface JiraActionSettings {
  connectorId: string
  clients: JiraClients
}

/**
 * The entity property of created issues and comments that holds the step's idempotency key
 * (`{ idempotencyKey }`): Jira has no idempotency header, so this records which step made what.
 *
 * @example
 * ```ts
 * // GET /rest/api/3/issue/OPS-42/properties/tessera.idempotency → { value: { idempotencyKey: 'run-1:create-issue' } }
 * jiraIdempotencyProperty // 'tessera.idempotency'
 * ```
 */
export const jiraIdempotencyProperty = 'tessera.idempotency'

/** Rich text for the configured API version: ADF for 3, the plain text itself for 2. */
function richText(config: JiraConfig, text: string): never {
  return (jiraApiVersion(config) === '2' ? text : textToAdf(text)) as never
}

/** Runs `body` with the SDK, mapping anything thrown to a `ConnectorError`. */
export async function withJira<T>(
  settings: JiraActionSettings,
  action: string,
  config: JiraConfig,
  signal: AbortSignal,
  body: (sdk: JiraSdk) => Promise<T>,
): Promise<T> {
  try {
    const sdk = await settings.clients.get(config, action)
    signal.throwIfAborted()
    return await body(sdk)
  } catch (error) {
    throw jiraError(settings.connectorId, action, error, signal)
  }
}

const createInput = z
  .object({
    projectKey: z.string().min(1).describe('The project key, such as OPS'),
    issueType: z.string().min(1).describe('The issue type name, such as Task, Bug or Story'),
    summary: z.string().min(1).max(255).describe('The one-line summary'),
    description: z
      .string()
      .optional()
      .describe('Plain text; blank lines separate paragraphs (sent as an ADF document)'),
    labels: z.array(z.string()).optional().describe('Labels to set'),
    priority: z.string().optional().describe('A priority name, such as High'),
    assigneeAccountId: z.string().optional().describe("The assignee's Atlassian account id"),
    fields: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('More fields as Jira expects them, such as { "customfield_10010": 5 }'),
  })
  .strict()
const createOutput = z.object({
  id: z.string(),
  key: z.string().describe('The new issue key, such as OPS-42'),
  url: z.string().describe("The issue's browse URL"),
})

/** The `create-issue` action. */
export function createIssueAction(
  settings: JiraActionSettings,
): ConnectorAction<JiraConfig, z.output<typeof createInput>, z.output<typeof createOutput>> {
  return {
    title: 'Create an issue',
    description: 'Creates an issue in a project; the description is plain text',
    examples: [
      {
        input: {
          projectKey: 'OPS',
          issueType: 'Task',
          summary: 'Rotate the database password',
          description: 'Due this week.\n\nSee the runbook.',
          labels: ['security'],
        },
      },
    ],
    input: createInput,
    output: createOutput,
    run: ({ config, input, signal, idempotencyKey }) =>
      withJira(settings, 'create-issue', config, signal, async (sdk) => {
        const issues = new (jiraApi(sdk, config).Issues)(sdk.scoped(signal))
        const created = await issues.createIssue({
          fields: {
            ...input.fields,
            project: { key: input.projectKey },
            issuetype: { name: input.issueType },
            summary: input.summary,
            ...(input.description !== undefined
              ? { description: richText(config, input.description) }
              : {}),
            ...(input.labels !== undefined ? { labels: input.labels } : {}),
            ...(input.priority !== undefined ? { priority: { name: input.priority } } : {}),
            ...(input.assigneeAccountId !== undefined
              ? { assignee: { accountId: input.assigneeAccountId } }
              : {}),
          } as never,
          properties: [{ key: jiraIdempotencyProperty, value: { idempotencyKey } }],
        })
        return {
          id: String(created.id),
          key: String(created.key),
          url: `${config.host.replace(/\/+$/, '')}/browse/${created.key}`,
        }
      }),
  }
}

const getInput = z
  .object({
    issueKey: issueKeySchema,
    fields: z
      .array(z.string())
      .optional()
      .describe('Fields to return (default: Jira\'s navigable fields); "*all" for all'),
  })
  .strict()

/** The `get-issue` action. */
export function getIssueAction(
  settings: JiraActionSettings,
): ConnectorAction<JiraConfig, z.output<typeof getInput>, JiraIssue> {
  return {
    title: 'Get an issue',
    description: 'Reads an issue by key or id',
    examples: [{ input: { issueKey: 'OPS-42' } }],
    input: getInput,
    output: jiraIssueSchema,
    run: ({ config, input, signal }) =>
      withJira(settings, 'get-issue', config, signal, async (sdk) => {
        const issues = new (jiraApi(sdk, config).Issues)(sdk.scoped(signal))
        const issue = await issues.getIssue({
          issueIdOrKey: input.issueKey,
          ...(input.fields !== undefined ? { fields: input.fields } : {}),
        })
        return toJiraIssue(issue, config.host)
      }),
  }
}

const commentInput = z
  .object({
    issueKey: issueKeySchema,
    body: z.string().min(1).describe('Plain text; blank lines separate paragraphs'),
  })
  .strict()
const commentOutput = z.object({ id: z.string(), created: z.string().nullable() })

/** The `add-comment` action. */
export function addCommentAction(
  settings: JiraActionSettings,
): ConnectorAction<JiraConfig, z.output<typeof commentInput>, z.output<typeof commentOutput>> {
  return {
    title: 'Add a comment',
    description: 'Adds a plain-text comment to an issue',
    examples: [{ input: { issueKey: 'OPS-42', body: 'Done: rotated at 14:05 UTC.' } }],
    input: commentInput,
    output: commentOutput,
    run: ({ config, input, signal, idempotencyKey }) =>
      withJira(settings, 'add-comment', config, signal, async (sdk) => {
        const comments = new (jiraApi(sdk, config).IssueComments)(sdk.scoped(signal))
        const comment = await comments.addComment({
          issueIdOrKey: input.issueKey,
          comment: richText(config, input.body),
          properties: [{ key: jiraIdempotencyProperty, value: { idempotencyKey } }],
        })
        return {
          id: String(comment.id),
          created: typeof comment.created === 'string' ? comment.created : null,
        }
      }),
  }
}

const transitionInput = z
  .object({
    issueKey: issueKeySchema,
    transition: z
      .string()
      .min(1)
      .describe('The transition name (such as "Done", case-insensitive) or its id'),
    comment: z.string().optional().describe('A plain-text comment added with the transition'),
  })
  .strict()
const transitionOutput = z.object({
  transitionId: z.string(),
  transitionName: z.string(),
  status: z.string().nullable().describe('The status the transition leads to'),
})

/** The `transition-issue` action. */
export function transitionIssueAction(
  settings: JiraActionSettings,
): ConnectorAction<
  JiraConfig,
  z.output<typeof transitionInput>,
  z.output<typeof transitionOutput>
> {
  return {
    title: 'Transition an issue',
    description:
      "Moves an issue through its workflow by transition name or id (an unknown one is not-found, with the issue's transitions listed)",
    examples: [{ input: { issueKey: 'OPS-42', transition: 'Done', comment: 'Closing.' } }],
    input: transitionInput,
    output: transitionOutput,
    run: ({ config, input, signal }) =>
      withJira(settings, 'transition-issue', config, signal, async (sdk) => {
        const issues = new (jiraApi(sdk, config).Issues)(sdk.scoped(signal))
        const { transitions = [] } = await issues.getTransitions({ issueIdOrKey: input.issueKey })
        const wanted = input.transition.toLowerCase()
        const found =
          transitions.find((item) => item.id === input.transition) ??
          transitions.find((item) => item.name?.toLowerCase() === wanted)
        if (found?.id === undefined)
          throw new ConnectorError({
            connector: settings.connectorId,
            action: 'transition-issue',
            reason: 'not-found',
            message: `${input.issueKey} has no transition ${JSON.stringify(input.transition)}; it has ${
              transitions.map((item) => `"${item.name}" (${item.id})`).join(', ') || 'none'
            }`,
          })
        await issues.doTransition({
          issueIdOrKey: input.issueKey,
          transition: { id: found.id },
          ...(input.comment !== undefined
            ? { update: { comment: [{ add: { body: richText(config, input.comment) } }] } as never }
            : {}),
        })
        return {
          transitionId: found.id,
          transitionName: found.name ?? found.id,
          status: found.to?.name ?? null,
        }
      }),
  }
}
