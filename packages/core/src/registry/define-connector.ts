import type { z } from 'zod'
import { InvalidArgumentError } from '../errors/invalid-argument-error'
import { assertId, assertSchema } from '../builder/step'
import type { ConnectorAction, ConnectorCheckContext, ConnectorV1 } from '../ports/connector-v1'
import type { AgentV1 } from '../ports/agent-v1'

/**
 * Defines a connector: an external system with a typed configuration and typed actions.
 *
 * @example
 * ```ts
 * const webhook = defineConnector({
 *   id: 'webhook',
 *   config: z.object({ url: z.string().url() }),
 *   actions: {
 *     post: {
 *       input: z.object({ body: z.unknown() }),
 *       output: z.object({ status: z.number() }),
 *       run: async ({ config, input, signal }) => ({ status: (await fetch(config.url, { method: 'POST', body: JSON.stringify(input.body), signal })).status }),
 *     },
 *   },
 * })
 * ```
 */
export function defineConnector<
  TConfigSchema extends z.ZodType,
  TActions extends Record<string, ConnectorAction<z.output<TConfigSchema>, any, any>>,
>(options: {
  id: string
  /** A human name, such as "Slack". Default: the id. */
  name?: string
  description?: string
  /** Where the connector is documented (a URL). */
  docs?: string
  config: TConfigSchema
  actions: TActions
  /** Checks a configuration before any run uses it (see `ConnectorV1.check`). */
  check?: (context: ConnectorCheckContext<z.output<TConfigSchema>>) => Promise<void>
}): Omit<ConnectorV1<z.output<TConfigSchema>>, 'config' | 'actions'> & {
  /** The config schema as given: its input type types `.action()`'s config. */
  readonly config: TConfigSchema
  readonly actions: TActions
} {
  assertId('defineConnector', 'id', options?.id)
  assertSchema('defineConnector', 'config', options.config)
  if (
    typeof options.actions !== 'object' ||
    options.actions === null ||
    Object.keys(options.actions).length === 0
  ) {
    throw new InvalidArgumentError({
      fn: 'defineConnector',
      argument: 'actions',
      expected: 'a non-empty record of actions',
      received: options.actions,
    })
  }
  for (const [name, action] of Object.entries(options.actions)) {
    assertId('defineConnector', `actions key`, name)
    assertSchema('defineConnector', `actions.${name}.input`, action?.input)
    assertSchema('defineConnector', `actions.${name}.output`, action.output)
    if (typeof action.run !== 'function') {
      throw new InvalidArgumentError({
        fn: 'defineConnector',
        argument: `actions.${name}.run`,
        expected: 'a function',
        received: action.run,
      })
    }
    for (const [index, example] of (action.examples ?? []).entries()) {
      const parsed = action.input.safeParse(example?.input)
      if (!parsed.success) {
        throw new InvalidArgumentError({
          fn: 'defineConnector',
          argument: `actions.${name}.examples[${index}].input`,
          expected: `an input that the action's input schema accepts (${parsed.error.issues
            .map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`)
            .join('; ')})`,
          received: example?.input,
        })
      }
    }
  }
  if (options.check !== undefined && typeof options.check !== 'function') {
    throw new InvalidArgumentError({
      fn: 'defineConnector',
      argument: 'check',
      expected: 'a function or undefined',
      received: options.check,
    })
  }
  return Object.freeze({
    specificationVersion: 'v1' as const,
    kind: 'connector' as const,
    id: options.id,
    name: options.name ?? options.id,
    description: options.description,
    ...(options.docs !== undefined ? { docs: options.docs } : {}),
    config: options.config,
    actions: options.actions,
    ...(options.check !== undefined ? { check: options.check } : {}),
  })
}

/**
 * Defines an agent spec: typed input and output around a `run` function. `@tessera/agents`
 * builds richer agents on this port.
 *
 * @example
 * ```ts
 * const echo = defineAgentSpec({ id: 'echo', input: z.string(), output: z.string(), run: async ({ input }) => input })
 * ```
 */
export function defineAgentSpec<
  TInputSchema extends z.ZodType,
  TOutputSchema extends z.ZodType,
>(options: {
  id: string
  description?: string
  input: TInputSchema
  output: TOutputSchema
  run: AgentV1<z.output<TInputSchema>, z.input<TOutputSchema>>['run']
}): AgentV1<z.output<TInputSchema>, z.output<TOutputSchema>> {
  assertId('defineAgentSpec', 'id', options?.id)
  assertSchema('defineAgentSpec', 'input', options.input)
  assertSchema('defineAgentSpec', 'output', options.output)
  if (typeof options.run !== 'function') {
    throw new InvalidArgumentError({
      fn: 'defineAgentSpec',
      argument: 'run',
      expected: 'a function',
      received: options.run,
    })
  }
  return Object.freeze({
    specificationVersion: 'v1' as const,
    kind: 'agent' as const,
    id: options.id,
    description: options.description,
    input: options.input as z.ZodType<z.output<TInputSchema>, any>,
    output: options.output as z.ZodType<z.output<TOutputSchema>, any>,
    run: options.run as AgentV1<z.output<TInputSchema>, z.output<TOutputSchema>>['run'],
  })
}
