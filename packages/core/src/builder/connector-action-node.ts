import type { z } from 'zod'
import type { DefinitionNode } from '../definition/schema'
import { ConflictError } from '../errors/conflict-error'
import { InvalidArgumentError } from '../errors/invalid-argument-error'
import type { ConnectorV1 } from '../ports/connector-v1'
import { parseDuration } from '../runtime/duration'
import { normalizeRetry } from '../runtime/retry-policy'
import type { NodeOptions } from './node-options'
import type { BuilderState } from './workflow-builder'

/** The names of a connector's actions (its declared ones, not the port's string index; any
 * string for a connector typed only as `ConnectorV1`).
 *
 * @example
 * ```ts
 * type Names = ActionNameOf<typeof slack> // 'send-message' | 'list-channels'
 * ```
 */
export type ActionNameOf<C extends ConnectorV1> = [DeclaredActionName<C>] extends [never]
  ? string
  : DeclaredActionName<C>

/** The action names a connector's type declares; `never` for a loosely typed `ConnectorV1`. */
type DeclaredActionName<C extends ConnectorV1> = keyof {
  [K in keyof C['actions'] as string extends K ? never : K]: unknown
} &
  string
/** The input a connector action accepts.
 *
 * @example
 * ```ts
 * type Message = ActionInputOf<typeof slack, 'send-message'> // { channel: string; text: string }
 * ```
 */
export type ActionInputOf<C extends ConnectorV1, A extends string> = C['actions'][A] extends {
  input: infer S extends z.ZodType
}
  ? z.input<S>
  : never
/** The output a connector action produces.
 *
 * @example
 * ```ts
 * type Sent = ActionOutputOf<typeof slack, 'send-message'> // { ts: string }
 * ```
 */
export type ActionOutputOf<C extends ConnectorV1, A extends string> = C['actions'][A] extends {
  output: infer S extends z.ZodType
}
  ? z.output<S>
  : never
/** The configuration a connector takes (its config schema's input: fields with defaults optional).
 *
 * @example
 * ```ts
 * const config: ConnectorConfigOf<typeof slack> = { token: process.env.SLACK_TOKEN! }
 * ```
 */
export type ConnectorConfigOf<C extends ConnectorV1> = z.input<C['config']>

/**
 * @internal The `action` node `.action()` places, and `state` with the connector collected (the
 * engine registers it with the workflow). The config must be JSON: it is stored in the definition.
 */
export function addConnectorAction(
  state: BuilderState,
  connector: ConnectorV1,
  action: string,
  config: unknown,
  options: NodeOptions,
  claimNodeId: (state: BuilderState, base: string, explicit: boolean) => string,
): { node: DefinitionNode; next: BuilderState } {
  const fn = `${state.id}.action`
  if (
    typeof connector !== 'object' ||
    connector === null ||
    (connector as { kind?: unknown }).kind !== 'connector'
  ) {
    throw new InvalidArgumentError({
      fn,
      argument: 'connector',
      expected: 'a connector (defineConnector)',
      received: connector,
    })
  }
  if (typeof action !== 'string' || !Object.hasOwn(connector.actions, action)) {
    throw new InvalidArgumentError({
      fn,
      argument: 'action',
      expected: `an action of connector "${connector.id}": ${Object.keys(connector.actions).join(', ')}`,
      received: action,
    })
  }
  const where = `${fn}("${connector.id}", "${action}")`
  // An object (definitions store it as JSON) the connector's config schema accepts.
  const parsed =
    config === undefined ||
    (typeof config === 'object' && config !== null && !Array.isArray(config))
      ? connector.config.safeParse(config ?? {})
      : undefined
  if (!parsed?.success) {
    throw new InvalidArgumentError({
      fn: where,
      argument: 'config',
      expected: `a JSON object that connector "${connector.id}" accepts${
        parsed
          ? ` (${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(config)'}: ${issue.message}`).join('; ')})`
          : ''
      }`,
      received: config,
    })
  }
  const known = state.connectors?.get(connector.id)
  if (known !== undefined && known !== connector) {
    throw new ConflictError(
      `Workflow "${state.id}" uses two different connectors with the id "${connector.id}"`,
    )
  }
  const id = claimNodeId(state, options.id ?? `${connector.id}.${action}`, options.id !== undefined)
  const retry = options.retry === undefined ? undefined : normalizeRetry(options.retry, where)
  const timeoutMs =
    options.timeout === undefined ? undefined : parseDuration(options.timeout, `${where}.timeout`)
  const json =
    config === undefined
      ? undefined
      : (JSON.parse(JSON.stringify(config)) as Record<string, unknown>)
  return {
    node: {
      type: 'action',
      id,
      connector: connector.id,
      action,
      ...(json !== undefined ? { config: json } : {}),
      ...(retry ? { retry } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    },
    next: {
      ...state,
      nodeIds: new Set([...state.nodeIds, id]),
      connectors: new Map([...(state.connectors ?? []), [connector.id, connector]]),
    },
  }
}
