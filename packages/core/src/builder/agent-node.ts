import type { DefinitionNode } from '../definition/schema'
import { ConflictError } from '../errors/conflict-error'
import { InvalidArgumentError } from '../errors/invalid-argument-error'
import type { AgentV1 } from '../ports/agent-v1'
import { parseDuration } from '../runtime/duration'
import { normalizeRetry } from '../runtime/retry-policy'
import type { NodeOptions } from './node-options'
import type { BuilderState } from './workflow-builder'

/**
 * @internal The `agent` node `.agent()` places, and `state` with the agent collected (the engine
 * registers it with the workflow).
 */
export function addAgentNode(
  state: BuilderState,
  agent: AgentV1,
  options: NodeOptions,
  claimNodeId: (state: BuilderState, base: string, explicit: boolean) => string,
): { node: DefinitionNode; next: BuilderState } {
  const fn = `${state.id}.agent`
  if (
    typeof agent !== 'object' ||
    agent === null ||
    (agent as { kind?: unknown }).kind !== 'agent' ||
    typeof agent.run !== 'function'
  ) {
    throw new InvalidArgumentError({
      fn,
      argument: 'agent',
      expected: 'an agent (AgentV1, e.g. defineAgent())',
      received: agent,
    })
  }
  const known = state.agents?.get(agent.id)
  if (known !== undefined && known !== agent) {
    throw new ConflictError(
      `Workflow "${state.id}" uses two different agents with the id "${agent.id}"`,
    )
  }
  const where = `${fn}("${agent.id}")`
  const id = claimNodeId(state, options.id ?? agent.id, options.id !== undefined)
  const retry = options.retry === undefined ? undefined : normalizeRetry(options.retry, where)
  const timeoutMs =
    options.timeout === undefined ? undefined : parseDuration(options.timeout, `${where}.timeout`)
  return {
    node: {
      type: 'agent',
      id,
      agent: agent.id,
      ...(retry ? { retry } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    },
    next: {
      ...state,
      nodeIds: new Set([...state.nodeIds, id]),
      agents: new Map([...(state.agents ?? []), [agent.id, agent]]),
    },
  }
}
