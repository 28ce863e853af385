import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { defineConnector } from '../registry/define-connector'
import { createWorkflow } from './workflow-builder'
import type { WorkflowBuilder } from './workflow-builder'
import type { ConnectorV1 } from '../ports/connector-v1'

const slack = defineConnector({
  id: 'slack',
  config: z.object({ token: z.string(), retries: z.number().default(2) }),
  actions: {
    'send-message': {
      input: z.object({ channel: z.string(), text: z.string() }),
      output: z.object({ ts: z.string() }),
      run: async () => ({ ts: '1' }),
    },
    'list-channels': {
      input: z.unknown(),
      output: z.array(z.string()),
      run: async () => [],
    },
  },
})
const start = createWorkflow({
  id: 'w',
  input: z.object({ channel: z.string(), text: z.string() }),
})

describe('.action() types', () => {
  it("gives the action's output as the next input", () => {
    expectTypeOf(start.action(slack, 'send-message', { token: 't' })).toEqualTypeOf<
      WorkflowBuilder<'w', { channel: string; text: string }, { ts: string }, undefined>
    >()
    expectTypeOf(start.action(slack, 'list-channels', { token: 't' })).toEqualTypeOf<
      WorkflowBuilder<'w', { channel: string; text: string }, string[], undefined>
    >()
  })

  it('takes only the action names of the connector', () => {
    // @ts-expect-error: no such action
    start.action(slack, 'delete-channel', { token: 't' })
  })

  it('takes any name for a connector typed only as ConnectorV1 (the engine checks it)', () => {
    const loose: ConnectorV1 = slack
    expectTypeOf(start.action(loose, 'anything', {})).toEqualTypeOf<
      WorkflowBuilder<'w', { channel: string; text: string }, any, undefined>
    >()
  })

  it("types the config from the connector's config schema (its input: defaults optional)", () => {
    start.action(slack, 'send-message', { token: 't', retries: 3 })
    // @ts-expect-error: token must be a string
    start.action(slack, 'send-message', { token: 1 })
  })

  it('refuses an action that cannot take the previous output, saying which', () => {
    const numbers = createWorkflow({ id: 'n', input: z.object({ n: z.number() }) })
    // @ts-expect-error: { n: number } is not { channel, text }
    numbers.action(slack, 'send-message', { token: 't' })
    numbers.action(slack, 'list-channels', { token: 't' })
  })
})
