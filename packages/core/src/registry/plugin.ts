import { ConflictError } from '../errors/conflict-error'
import { InvalidArgumentError } from '../errors/invalid-argument-error'
import type { Step } from '../builder/step'
import type { InlineFunction, Workflow } from '../builder/workflow'
import type { AgentV1 } from '../ports/agent-v1'
import type { ConnectorV1 } from '../ports/connector-v1'

/** A bundle of steps, workflows, agents, connectors and named functions to register together. */
export interface Plugin {
  readonly kind: 'plugin'
  readonly name: string
  readonly version: string | undefined
  readonly steps: readonly Step[]
  readonly workflows: readonly Workflow[]
  readonly agents: readonly AgentV1[]
  readonly connectors: readonly ConnectorV1[]
  /** Functions that JSON definitions may reference from `code`, `branch` and `loop` nodes. */
  readonly functions: Readonly<Record<string, InlineFunction>>
}

/** What `definePlugin` takes. */
export interface PluginOptions {
  name: string
  version?: string
  steps?: readonly Step[]
  workflows?: readonly Workflow[]
  agents?: readonly AgentV1[]
  connectors?: readonly ConnectorV1[]
  functions?: Readonly<Record<string, InlineFunction>>
}

/**
 * Bundles components for `createEngine({ plugins })`. Ids must be unique within the plugin;
 * the engine checks them against everything else it has.
 *
 * @example
 * ```ts
 * export const billing = definePlugin({ name: 'billing', steps: [chargeCard, refund], connectors: [stripe] })
 * const engine = createEngine({ plugins: [billing] })
 * ```
 */
export function definePlugin(options: PluginOptions): Plugin {
  if (
    typeof options !== 'object' ||
    options === null ||
    typeof options.name !== 'string' ||
    options.name === ''
  ) {
    throw new InvalidArgumentError({
      fn: 'definePlugin',
      argument: 'name',
      expected: 'a non-empty string',
      received: options?.name,
    })
  }
  const lists = {
    steps: options.steps ?? [],
    workflows: options.workflows ?? [],
    agents: options.agents ?? [],
    connectors: options.connectors ?? [],
  }
  const expectedKind = {
    steps: 'step',
    workflows: 'workflow',
    agents: 'agent',
    connectors: 'connector',
  } as const
  for (const [list, items] of Object.entries(lists) as [
    keyof typeof lists,
    readonly { id: string; kind: string }[],
  ][]) {
    if (!Array.isArray(items)) {
      throw new InvalidArgumentError({
        fn: 'definePlugin',
        argument: list,
        expected: 'an array',
        received: items,
      })
    }
    const seen = new Set<string>()
    items.forEach((item, index) => {
      if (typeof item !== 'object' || item === null || item.kind !== expectedKind[list]) {
        throw new InvalidArgumentError({
          fn: 'definePlugin',
          argument: `${list}[${index}]`,
          expected: `${expectedKind[list] === 'agent' ? 'an' : 'a'} ${expectedKind[list]}`,
          received: item,
        })
      }
      if (seen.has(item.id))
        throw new ConflictError(
          `Plugin "${options.name}" lists the ${expectedKind[list]} "${item.id}" twice`,
        )
      seen.add(item.id)
    })
  }
  const functions = options.functions ?? {}
  for (const [key, fn] of Object.entries(functions)) {
    if (typeof fn !== 'function') {
      throw new InvalidArgumentError({
        fn: 'definePlugin',
        argument: `functions.${key}`,
        expected: 'a function',
        received: fn,
      })
    }
  }
  return Object.freeze({
    kind: 'plugin' as const,
    name: options.name,
    version: options.version,
    ...lists,
    functions,
  })
}
