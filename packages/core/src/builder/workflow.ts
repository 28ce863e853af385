import type { z } from 'zod'
import type { WorkflowDefinition } from '../definition/schema'
import type { AgentV1 } from '../ports/agent-v1'
import type { ConnectorV1 } from '../ports/connector-v1'
import type { Step } from './step'

/** A function referenced by a definition's `code`, `branch` or `loop` node. */
export type InlineFunction = (args: any) => unknown

/**
 * A committed workflow: its JSON definition plus the functions, steps and child workflows it
 * references. A workflow is usable as a step of another workflow.
 */
export interface Workflow<TId extends string = string, TInput = any, TOutput = any> {
  readonly kind: 'workflow'
  readonly id: TId
  readonly description: string | undefined
  /** Content hash of the definition and its inline functions; runs are pinned to it. */
  readonly version: string
  readonly inputSchema: z.ZodType<unknown, TInput>
  readonly outputSchema: z.ZodType<TOutput, unknown> | undefined
  /** The plain JSON form (validated by `workflowDefinitionSchema`). */
  readonly definition: WorkflowDefinition
  /** Inline functions by the id the definition uses. */
  readonly functions: ReadonlyMap<string, InlineFunction>
  /** Payload schemas of `event` and `approval` nodes, by node id. */
  readonly schemas: ReadonlyMap<string, z.ZodType>
  /** Steps the definition references, by step id (child workflows' steps included). */
  readonly steps: ReadonlyMap<string, Step>
  /** Child workflows by id (transitively). */
  readonly workflows: ReadonlyMap<string, Workflow>
  /** Connectors of the definition's `action` nodes, by id (absent when it has none). */
  readonly connectors?: ReadonlyMap<string, ConnectorV1>
  /** Agents of the definition's `agent` nodes, by id (absent when it has none). */
  readonly agents?: ReadonlyMap<string, AgentV1>
}

/** Anything that can stand where a step stands: a step or a committed workflow. */
export type AnyRunnable = Step<string, any, any> | Workflow<string, any, any>

/** The input a step or workflow accepts. */
export type InputOf<R> =
  R extends Step<string, infer I, any> ? I : R extends Workflow<string, infer I, any> ? I : never
/** The output a step or workflow produces. */
export type OutputOf<R> =
  R extends Step<string, any, infer O> ? O : R extends Workflow<string, any, infer O> ? O : never
/** The id of a step or workflow. */
export type IdOf<R> = R extends { id: infer Id extends string } ? Id : string
