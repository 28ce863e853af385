import {
  InvalidArgumentError,
  type ApprovalDecision,
  type Clock,
  type Duration,
  type Logger,
  type SecretsProviderV1,
  type StepContext,
} from '@tessera/core'
import { ToolApprovalRequiredError } from '../agent/tool-approval-required-error'

/** A tool call waiting for a human decision. */
export interface ToolApprovalRequest {
  /** The agent whose model called the tool. */
  agentId: string
  toolName: string
  toolCallId: string
  /** The validated tool input. */
  input: unknown
  /** The approval's name: `run.approve(approvalId, data)` decides it inside a workflow. */
  approvalId: string
}

/**
 * Decides a tool approval outside a workflow: `true`/`false`, or a full decision (with data for
 * the tool, or a reason for the model).
 */
export type ApproveFunction = (
  request: ToolApprovalRequest,
) => boolean | ApprovalDecision<unknown> | Promise<boolean | ApprovalDecision<unknown>>

/**
 * The part of a step's context an agent needs to make its calls durable: `durable()`,
 * `approval()`, the signal, the idempotency key and the logger (and the engine's secrets, for
 * connector tools). A step's `run` receives it.
 */
export type DurableStepContext = Pick<
  StepContext<unknown>,
  'signal' | 'idempotencyKey' | 'logger' | 'durable' | 'approval' | 'secrets'
>

/**
 * Where an agent's loop runs: inside a workflow step (each unit durable, approvals suspend the
 * run) or on its own (units run directly, approvals go to an `approve` function).
 */
export interface AgentExecution {
  /** Runs `fn` once and records its JSON result under `name` (directly, outside workflows). */
  durable<T>(name: string, fn: () => T | Promise<T>): Promise<T>
  /** Asks for a decision on `request.approvalId`; inside a workflow the run suspends. */
  approval(
    request: ToolApprovalRequest,
    options: { timeout?: Duration },
  ): Promise<ApprovalDecision<unknown>>
  /** Prefixes the names this execution gives to durable units and approvals. */
  readonly prefix: string
  readonly signal: AbortSignal
  readonly idempotencyKey: string
  readonly logger: Logger
  readonly clock: Clock
  /** Where the tools' secret references resolve (`ToolContext.secrets`). */
  readonly secrets: SecretsProviderV1 | undefined
  /**
   * Inside a workflow step: the step's context itself, its names not prefixed (an agent that
   * runs through its own `generate()` gets it with `scope: prefix`). Undefined outside workflows.
   */
  readonly context: DurableStepContext | undefined
}

/** An execution outside any workflow: units run directly; approvals call `approve`. */
export function createDirectExecution(settings: {
  signal: AbortSignal
  idempotencyKey: string
  logger: Logger
  clock: Clock
  approve: ApproveFunction | undefined
  secrets?: SecretsProviderV1 | undefined
}): AgentExecution {
  return {
    prefix: '',
    signal: settings.signal,
    idempotencyKey: settings.idempotencyKey,
    logger: settings.logger,
    clock: settings.clock,
    secrets: settings.secrets,
    context: undefined,
    durable: async (_name, fn) => fn(),
    approval: async (request) => {
      if (settings.approve === undefined) {
        throw new ToolApprovalRequiredError(request)
      }
      const decision = await settings.approve(request)
      return toDecision(decision, settings.clock)
    },
  }
}

/** An execution inside a workflow step: every unit is durable, approvals suspend the run. */
export function createStepExecution(
  context: DurableStepContext,
  settings: {
    prefix: string
    clock: Clock
    fn: string
    secrets?: SecretsProviderV1 | undefined
  },
): AgentExecution {
  if (typeof context.durable !== 'function' || typeof context.approval !== 'function') {
    throw new InvalidArgumentError({
      fn: settings.fn,
      argument: 'context',
      expected:
        'a step context with durable() and approval() (the context a step’s run receives from @tessera/core)',
      received: context,
    })
  }
  return {
    prefix: settings.prefix,
    signal: context.signal,
    idempotencyKey: context.idempotencyKey,
    logger: context.logger,
    clock: settings.clock,
    secrets: settings.secrets,
    context,
    durable: (name, fn) => context.durable(settings.prefix + name, fn),
    approval: (request, options) => context.approval(request.approvalId, options),
  }
}

/**
 * The same execution with names under `segment` (sub-agents, handoffs): their units and
 * approvals never collide with the caller's.
 */
export function scopeExecution(execution: AgentExecution, segment: string): AgentExecution {
  return {
    ...execution,
    prefix: execution.prefix + segment,
    durable: (name, fn) => execution.durable(segment + name, fn),
  }
}

function toDecision(
  decision: boolean | ApprovalDecision<unknown>,
  clock: Clock,
): ApprovalDecision<unknown> {
  if (decision === true) return { approved: true, data: undefined, at: clock.now() }
  if (decision === false) return { approved: false, at: clock.now() }
  if (typeof decision === 'object' && decision !== null && typeof decision.approved === 'boolean') {
    return { ...decision, at: typeof decision.at === 'number' ? decision.at : clock.now() }
  }
  throw new InvalidArgumentError({
    fn: 'generate',
    argument: 'options.approve',
    expected: 'a function returning true, false or { approved, data?, reason? }',
    received: decision,
  })
}
