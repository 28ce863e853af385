import { InvalidArgumentError, type Duration } from '@tessera/core'
import type { Agent } from '../agent/define-agent'
import { createTool, type Tool } from '../tools/tool'

/** What {@link agentAsTool} takes besides the agent. */
export interface AgentAsToolOptions {
  /** What the sub-agent does, for the calling model. Default: the agent's description. */
  description?: string
  needsApproval?: boolean | ((input: any) => boolean)
  approvalTimeout?: Duration
}

/**
 * Exposes an agent as a tool of another: the calling model sends the sub-agent's input (an
 * object schema as it is; any other wrapped as `{ input: … }`) and gets its output back. A
 * `defineAgent` sub-agent runs its own loop with its own model, tools and limits; any other
 * agent (a pre-built one, or your own) runs through its own `generate()`, so its code runs (a
 * PII redactor masks before its model sees the text). Either way, inside a workflow its model
 * and tool calls are durable units under `agent:<call id>:`, its approvals suspend the run like
 * the caller's, and its events, tokens and cost count in the caller's. A sub-agent that cannot
 * finish (`maxSteps`, invalid structured output) becomes an error result for the caller; other
 * failures fail the run.
 *
 * @example
 * ```ts
 * const researcher = defineAgent({ id: 'researcher', description: 'Finds facts on the web', instructions, model, tools: { search } })
 * const writer = defineAgent({ id: 'writer', instructions: 'Write the article.', model, tools: { research: agentAsTool(researcher) } })
 * ```
 */
export function agentAsTool(agent: Agent<any, any>, options: AgentAsToolOptions = {}): Tool {
  assertAgent('agentAsTool', agent)
  const description = options.description ?? agent.description
  if (typeof description !== 'string' || description.trim() === '') {
    throw new InvalidArgumentError({
      fn: 'agentAsTool',
      argument: 'options.description',
      expected: `a description of what agent "${agent.id}" does (the agent has none)`,
      received: description,
    })
  }
  return createTool(
    'agentAsTool',
    {
      description,
      input: agent.input,
      output: agent.output,
      needsApproval: options.needsApproval,
      approvalTimeout: options.approvalTimeout,
      // The loop runs the sub-agent itself (with durable, scoped units); this is for direct use.
      execute: async (input, context) =>
        (await agent.generate(input, { signal: context.signal, logger: context.logger })).output,
    },
    { mode: 'agent', agent },
  )
}

/**
 * Checks that a value is an {@link Agent}: `kind: 'agent'`, an id, input and output schemas and
 * `generate()` (`defineAgent`, the pre-built agents, or your own).
 *
 * @example
 * ```ts
 * assertAgent('agentAsTool', agent)
 * ```
 */
export function assertAgent(fn: string, agent: unknown): asserts agent is Agent<any, any> {
  const candidate = agent as Partial<Agent> | null
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    candidate.kind !== 'agent' ||
    typeof candidate.id !== 'string' ||
    typeof candidate.generate !== 'function' ||
    typeof candidate.input?.safeParse !== 'function' ||
    typeof candidate.output?.safeParse !== 'function'
  ) {
    throw new InvalidArgumentError({
      fn,
      argument: 'agent',
      expected:
        'an agent (defineAgent(), a pre-built agent, or an object with kind "agent", id, input, output and generate())',
      received: agent,
    })
  }
}
