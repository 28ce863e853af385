import type { Step, StepContext } from '../builder/step'
import type { AgentV1 } from '../ports/agent-v1'

/**
 * The step an `agent` node executes: the agent's `run` with the step's context, `durable` and
 * `approval` included (an agent that records its model and tool calls with them replays completed
 * calls when the step runs again). The agent's input and output schemas are the step's, so the
 * engine checks them like any step's. The id is the node's id. The engine's secrets go with
 * them (`AgentRunContext.secrets`), for the agent's tools.
 */
export function agentNodeStep(nodeId: string, agent: AgentV1): Step {
  const run = (context: StepContext<unknown>): unknown =>
    agent.run({
      input: context.input,
      signal: context.signal,
      idempotencyKey: context.idempotencyKey,
      logger: context.logger,
      durable: context.durable,
      approval: context.approval,
      secrets: context.secrets,
    })
  return {
    kind: 'step',
    id: nodeId,
    description: agent.description,
    inputSchema: agent.input,
    outputSchema: agent.output,
    retry: undefined,
    timeoutMs: undefined,
    run,
  } as Step
}
