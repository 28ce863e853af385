// The fixed registry of the code generator's property tests (not published): two steps, a child
// workflow, and one function that stands for every function id a generated definition uses.
// Loosely typed on purpose: random chains are not type-coherent (a foreach after an event).
import type { Step, Workflow } from '../src/index'
import { createWorkflow } from '../src/index'
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
