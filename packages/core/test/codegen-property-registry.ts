// The fixed registry of the code generator's property tests (not published): two steps, a child
// workflow, a connector with two actions, and one function that stands for every function id a generated definition uses.
// Loosely typed on purpose: random chains are not type-coherent (a foreach after an event).
import { z } from 'zod'
import type { AgentV1, ConnectorV1, Step, Workflow } from '../src/index'
import { createWorkflow, defineConnector } from '../src/index'
import { inc, num, square } from './fixtures'

/** The function behind every id of `functions`. */
export const anyFunction = ({ input }: { input: unknown }): any => input

export const child = createWorkflow({ id: 'child', input: num }).then(inc).commit()

export const steps: Record<'inc' | 'square', Step<string, any, any>> = { inc, square }
export const workflows: Record<'child', Workflow<string, any, any>> = { child }
export const functions: Record<string, (args: any) => any> = new Proxy(
  {},
  { get: () => anyFunction },
)

/** A connector whose config takes any JSON object (`from` optional). */
export const mailer = defineConnector({
  id: 'mail.v2',
  config: z.object({ from: z.string().optional() }).loose(),
  actions: {
    send: { input: z.unknown(), output: z.unknown(), run: async ({ input }) => input },
    'count-words': { input: z.unknown(), output: z.unknown(), run: async ({ input }) => input },
  },
})
export const connectors: Record<'mail.v2', ConnectorV1<any>> = { 'mail.v2': mailer }

/** An agent that returns its input. */
export const echoAgent: AgentV1 = {
  specificationVersion: 'v1',
  kind: 'agent',
  id: 'echo.v1',
  description: undefined,
  input: z.unknown(),
  output: z.unknown(),
  run: async ({ input }) => input,
}
export const agents: Record<'echo.v1', AgentV1> = { 'echo.v1': echoAgent }
