import type { Step, StepContext } from '../builder/step'
import type { AgentV1 } from '../ports/agent-v1'
import type { SecretsProviderV1 } from '../ports/secrets-provider-v1'
import type { SecretLookup } from './secret-refs'

/**
 * The step an `agent` node executes: the agent's `run` with the step's context, `durable` and
 * `approval` included (an agent that records its model and tool calls with them replays completed
 * calls when the step runs again). The agent's input and output schemas are the step's, so the
 * engine checks them like any step's. The id is the node's id. With the engine's secrets
 * (`lookup`), the agent gets them as one provider (`AgentRunContext.secrets`) for its tools.
 */
export function agentNodeStep(nodeId: string, agent: AgentV1, lookup?: SecretLookup): Step {
  const secrets: SecretsProviderV1 | undefined =
    lookup === undefined
      ? undefined
      : {
          specificationVersion: 'v1',
          provider: 'engine',
          get: (name, options) => lookup(name, options?.signal),
        }
  const run = (context: StepContext<unknown>): unknown =>
    agent.run({
      input: context.input,
      signal: context.signal,
      idempotencyKey: context.idempotencyKey,
      logger: context.logger,
      durable: context.durable,
      approval: context.approval,
      secrets,
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
