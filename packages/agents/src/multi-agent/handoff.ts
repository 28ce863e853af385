import { z } from 'zod'
import type { Agent } from '../agent/define-agent'
import { createTool, type Tool } from '../tools/tool'
import { assertAgent } from './agent-as-tool'

/** What {@link handoff} takes besides the agent. */
export interface HandoffOptions {
  /** When the model should hand off. Default: "Transfer the conversation to <id>: <description>". */
  description?: string
}

/**
 * A tool that transfers the conversation to another agent, whose answer becomes the result.
 *
 * Semantics: when the model calls it, the calling agent stops (other tool calls in the same
 * answer do not run; they get an error result saying so). The target continues the same
 * conversation: its own instructions (a function of the instructions receives the calling
 * agent's input), the messages so far (the thread's summary included) and the handoff call,
 * with its own tools, model, `maxSteps` and output mode. Its output must also match the calling
 * agent's output schema, else the run fails with `ValidationError`. The target's memory is not
 * used: the whole turn, the target's messages included, is appended to the caller's thread.
 * Handoff chains (A → B → C) are allowed, up to 8 handoffs per run (`MaxStepsExceededError`
 * beyond, which catches cycles). Inside a workflow the target's units are named under
 * `handoff:<n>:`. The model may say why it hands off (`reason`), which stays in the conversation.
 *
 * A target not made by `defineAgent` (a pre-built agent, or your own) cannot continue a
 * conversation: it runs through its own `generate()` with the calling agent's input (which must
 * fit its input schema), and its messages and steps are added to the caller's.
 *
 * @example
 * ```ts
 * const billing = defineAgent({ id: 'billing', description: 'Invoices, refunds and payments', instructions, model })
 * const frontDesk = defineAgent({ id: 'front-desk', instructions: 'Help, or hand off.', model, tools: { billing: handoff(billing) } })
 * ```
 */
export function handoff(agent: Agent<any, any>, options: HandoffOptions = {}): Tool {
  assertAgent('handoff', agent)
  const description =
    options.description ??
    `Transfer the conversation to agent "${agent.id}"${agent.description ? `: ${agent.description}` : ''}. Call it alone; it ends your turn.`
  return createTool(
    'handoff',
    {
      description,
      input: z.object({
        reason: z.string().optional().describe('Why the conversation is handed off'),
      }),
      execute: () => ({ transferredTo: agent.id }),
    },
    { mode: 'handoff', agent },
  )
}
