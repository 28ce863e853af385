import { useState } from 'react'
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { createRegistry, defineConnector, secretRef } from '@tessera/core'
import { parseDefinition, type WorkflowDefinition } from '@tessera/core/definition'
import { fetchOrder, order } from '../../test/steps'
import { twoSteps } from '../../test/designer-fixtures'
import { nodeFormSchema } from './node-form-schema'
import { paletteItems } from './palette-items'
import { WorkflowDesigner } from './workflow-designer'

afterEach(cleanup)

const mailer = defineConnector({
  id: 'mailer',
  name: 'Mailer',
  description: 'Sends e-mail',
  config: z.object({ from: z.string().min(3), replyTo: z.string().optional() }),
  actions: {
    send: {
      description: 'Sends the order confirmation',
      input: order,
      output: z.object({ messageId: z.string() }),
      run: async () => ({ messageId: 'm-1' }),
    },
    bounce: {
      input: z.object({ address: z.string() }),
      output: z.object({ ok: z.boolean() }),
      run: async () => ({ ok: true }),
    },
  },
})

function describedWithConnector() {
  const registry = createRegistry()
  registry.addStep(fetchOrder)
  registry.addConnector(mailer)
  return registry.describe()
}
const registry = describedWithConnector()

function Controlled(props: {
  initial: WorkflowDefinition
  onChange: (definition: WorkflowDefinition) => void
}) {
  const [definition, setDefinition] = useState(props.initial)
  return (
    <WorkflowDesigner
      registry={registry}
      value={definition}
      onChange={(next) => {
        props.onChange(next)
        setDefinition(next)
      }}
    />
  )
}

const withAction = (config?: Record<string, unknown>) =>
  parseDefinition({
    ...twoSteps(),
    root: {
      type: 'sequence',
      id: 'root',
      children: [
        { type: 'step', id: 'fetch-order', step: 'fetch-order' },
        {
          type: 'action',
          id: 'mailer.send',
          connector: 'mailer',
          action: 'send',
          ...(config ? { config } : {}),
        },
      ],
    },
  })

const lastDefinition = (onChange: ReturnType<typeof vi.fn>) =>
  onChange.mock.calls.at(-1)?.[0] as WorkflowDefinition | undefined

describe('connector actions in the designer', () => {
  it("lists each connector's actions under Connectors, with their schemas", () => {
    const items = paletteItems(registry).filter((item) => item.category === 'Connectors')
    expect(items.map((item) => [item.key, item.label, item.description])).toEqual([
      ['action:mailer.send', 'Mailer · send', 'Sends the order confirmation'],
      ['action:mailer.bounce', 'Mailer · bounce', 'Sends e-mail'],
    ])
    expect(items[0]!.output).toMatchObject({ properties: { messageId: { type: 'string' } } })
    render(<WorkflowDesigner registry={registry} defaultValue={twoSteps()} />)
    const palette = screen.getByTestId('tsr-palette')
    expect(within(palette).getByRole('heading', { name: 'Connectors' })).toBeTruthy()
    expect(screen.getByTestId('tsr-palette-item-action:mailer.send').textContent).toContain(
      'Mailer · send',
    )
  })

  it("generates the config form from the connector's config JSON Schema", () => {
    const action = {
      type: 'action',
      id: 'mailer.send',
      connector: 'mailer',
      action: 'send',
    } as const
    const schema = nodeFormSchema(action, registry)
    expect(schema).toMatchObject({
      required: ['id', 'connector', 'action'],
      properties: {
        connector: { enum: ['mailer'] },
        action: { enum: ['send', 'bounce'] },
        config: {
          title: 'Config',
          type: 'object',
          properties: { from: { type: 'string', minLength: 3 } },
          required: ['from'],
        },
      },
    })
    expect((schema.properties as { config: object }).config).not.toHaveProperty('$schema')
  })

  it('places an action from the palette, shows invalid_config on it, and fixes it through the form', async () => {
    const onChange = vi.fn()
    render(<Controlled initial={twoSteps()} onChange={onChange} />)
    fireEvent.click(screen.getByTestId('tsr-node-fetch-order'))
    fireEvent.click(screen.getByTestId('tsr-palette-item-action:mailer.send'))
    const placed = lastDefinition(onChange)
    expect(placed?.root).toMatchObject({
      children: [
        { id: 'fetch-order' },
        { type: 'action', id: 'mailer.send', connector: 'mailer', action: 'send' },
        { id: 'notify' },
      ],
    })
    const node = screen.getByTestId('tsr-node-mailer.send')
    expect(node.dataset.invalid).toBe('true')
    expect(screen.getByTestId('tsr-node-issue-mailer.send').textContent).toMatch(
      /config of connector "mailer"/,
    )
    fireEvent.click(node)
    const form = screen.getByTestId('tsr-properties')
    fireEvent.change(within(form).getByLabelText(/^from/), {
      target: { value: 'shop@example.com' },
    })
    fireEvent.click(within(form).getByTestId('tsr-properties-apply'))
    await waitFor(() =>
      expect(lastDefinition(onChange)?.root).toMatchObject({
        children: [{}, { id: 'mailer.send', config: { from: 'shop@example.com' } }, {}],
      }),
    )
    expect(screen.queryByTestId('tsr-node-issue-mailer.send')).toBeNull()
    expect(screen.getByTestId('tsr-node-mailer.send').dataset.invalid).toBeUndefined()
  })

  it('shows a config the schema refuses on the node, at its field', () => {
    render(
      <WorkflowDesigner registry={registry} defaultValue={withAction({ from: 'x', port: 1 })} />,
    )
    expect(screen.getByTestId('tsr-node-issue-mailer.send').textContent).toBe(
      'config of connector "mailer" at "from": Too small: expected string to have >=3 characters',
    )
  })

  it('edits a secret field as a secret name and never shows a value', async () => {
    const chat = defineConnector({
      id: 'chat',
      name: 'Chat',
      description: 'Posts messages',
      config: z.object({
        token: secretRef({ title: 'Bot token', description: 'The bot token' }),
        channel: z.string(),
      }),
      actions: {
        post: {
          input: order,
          output: z.object({ ok: z.boolean() }),
          run: async () => ({ ok: true }),
        },
      },
    })
    const withChat = createRegistry()
    withChat.addStep(fetchOrder)
    withChat.addConnector(chat)
    const described = withChat.describe()
    const initial = parseDefinition({
      ...twoSteps(),
      root: {
        type: 'sequence',
        id: 'root',
        children: [
          { type: 'step', id: 'fetch-order', step: 'fetch-order' },
          {
            type: 'action',
            id: 'chat.post',
            connector: 'chat',
            action: 'post',
            config: { token: { $secret: 'CHAT_TOKEN' }, channel: '#ops' },
          },
        ],
      },
    })
    const onChange = vi.fn()
    render(<WorkflowDesigner registry={described} defaultValue={initial} onChange={onChange} />)
    fireEvent.click(screen.getByTestId('tsr-node-chat.post'))
    const form = screen.getByTestId('tsr-properties')
    const input = within(form).getByLabelText(/^Bot token/) as HTMLInputElement
    expect(input.type).toBe('text')
    expect(input.value).toBe('CHAT_TOKEN')
    expect(within(form).getByText(/never stored in the workflow or shown here/)).toBeTruthy()
    // No nested "$secret" object field: the reference is one box.
    expect(within(form).queryByLabelText(/\$secret/)).toBeNull()
    fireEvent.change(input, { target: { value: 'CHAT_BOT_TOKEN' } })
    fireEvent.click(within(form).getByTestId('tsr-properties-apply'))
    await waitFor(() =>
      expect(lastDefinition(onChange)?.root).toMatchObject({
        children: [
          {},
          { id: 'chat.post', config: { token: { $secret: 'CHAT_BOT_TOKEN' }, channel: '#ops' } },
        ],
      }),
    )
  })
})
