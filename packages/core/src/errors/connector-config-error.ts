import { TesseraError } from './tessera-error'

/** Why a connector configuration failed its preflight. */
export type ConnectorConfigIssueReason =
  /** A `{ $secret }` reference names a secret that no provider has. */
  | 'missing-secret'
  /** The configuration does not parse, or the connector's check rejected it as wrong. */
  | 'invalid-config'
  /** The connector's check could not reach the remote system. */
  | 'unreachable'
  /** The remote system rejected the credentials. */
  | 'unauthorized'
  /** The secrets provider itself failed (Vault down, a file that does not decrypt). */
  | 'secrets-unavailable'
  /** The check failed for another reason (see the message). */
  | 'check-failed'

/** One problem found in a workflow's connector configurations. Never holds a secret's value. */
export interface ConnectorConfigIssue {
  /** The action node's id (prefixed by the workflow node's id inside a child workflow). */
  node: string
  /** The connector's id. */
  connector: string
  /** Where in the node's config, such as `config.token` (`config` for the whole). */
  path: string
  reason: ConnectorConfigIssueReason
  message: string
  /** The secret's name, for `missing-secret`. */
  secret?: string
}

/**
 * A workflow's connector configurations do not work: a secret no provider has, a config of the
 * wrong shape, a host that cannot be reached or credentials the remote rejects. Thrown by
 * `engine.preflight()` and by `engine.start()` before any run is created; every problem is
 * listed in `issues` (names of secrets, never their values).
 *
 * @example
 * ```ts
 * try {
 *   await engine.preflight('notify', { connect: true })
 * } catch (error) {
 *   if (ConnectorConfigError.isInstance(error)) for (const issue of error.issues) console.log(issue.node, issue.message)
 * }
 * ```
 */
export class ConnectorConfigError extends TesseraError {
  readonly workflowId: string
  readonly issues: ConnectorConfigIssue[]
  constructor(options: { workflowId: string; issues: ConnectorConfigIssue[] }) {
    const count = options.issues.length
    const list = options.issues
      .slice(0, 5)
      .map((issue) => `${issue.node} (${issue.connector}) ${issue.path}: ${issue.message}`)
      .join('; ')
    super(
      'connector_config_invalid',
      `Workflow "${options.workflowId}" has ${count} connector configuration problem${count === 1 ? '' : 's'}: ${list}`,
      { retryable: false },
    )
    this.name = 'ConnectorConfigError'
    this.workflowId = options.workflowId
    this.issues = options.issues
  }
  /** True for a {@link ConnectorConfigError}, even one from another copy of the package. */
  static override isInstance(value: unknown): value is ConnectorConfigError {
    return TesseraError.isInstance(value) && value.code === 'connector_config_invalid'
  }
  override details() {
    return { workflowId: this.workflowId, issues: this.issues }
  }
}
