import { NotFoundError } from '../../errors/not-found-error'
import { parseDuration } from '../../runtime/duration'
import { webhookParams, webhookResponse } from '../http-schemas'
import { HttpProblem } from '../problem'
import { defineRoute } from '../route'
import { verifyWebhookSignature } from '../webhook-signature'

export const receiveWebhook = defineRoute({
  id: 'webhooks.receive',
  method: 'POST',
  path: '/webhooks/{name}',
  summary:
    'Start a run from a signed delivery: `x-tessera-signature: t=<unix>,v1=<hex HMAC SHA-256 of "t.body">`; `x-tessera-delivery` makes it idempotent',
  tag: 'webhooks',
  params: webhookParams,
  responses: {
    202: { description: 'The run was started', schema: webhookResponse },
    200: {
      description: 'This delivery started a run before: it is returned',
      schema: webhookResponse,
    },
  },
  errors: [400, 401, 404, 413, 422],
  permission: { signature: true },
  audit: 'webhook.start',
  enabled: (services) => Object.keys(services.options.webhooks ?? {}).length > 0,
  async handle(context) {
    const { params, services } = context
    const webhooks = services.options.webhooks ?? {}
    const webhook = Object.hasOwn(webhooks, params.name) ? webhooks[params.name] : undefined
    if (!webhook) throw new NotFoundError({ kind: 'webhook', id: params.name })
    const raw = await context.text()
    const secret = typeof webhook.secret === 'function' ? await webhook.secret() : webhook.secret
    await verifyWebhookSignature({
      secret,
      body: raw,
      header: context.header('x-tessera-signature') ?? null,
      nowMs: services.now(),
      toleranceMs: parseDuration(
        webhook.tolerance ?? '5m',
        `createHttpHandler.webhooks.${params.name}.tolerance`,
      ),
    })
    let body: unknown = undefined
    if (raw !== '') {
      try {
        body = JSON.parse(raw)
      } catch (error) {
        if (!webhook.input) {
          throw new HttpProblem(
            400,
            'invalid_argument',
            `The webhook body is not JSON: ${(error as Error).message}`,
            [{ path: 'body', message: (error as Error).message, expected: 'JSON' }],
          )
        }
        body = raw
      }
    }
    const delivery = context.header('x-tessera-delivery')
    if (delivery !== undefined && (delivery === '' || delivery.length > 200)) {
      throw new HttpProblem(
        400,
        'invalid_argument',
        'The x-tessera-delivery header must be 1 to 200 characters',
        [{ path: 'headers.x-tessera-delivery', message: 'must be 1 to 200 characters' }],
      )
    }
    const input = webhook.input ? webhook.input(body, context.request) : body
    const handle = webhook.receive
      ? await webhook
          .receive(input, delivery)
          .then(({ runId, created }) => ({ id: runId, created }))
      : await services.engine.start(webhook.workflowId, input, {
          ...(delivery !== undefined ? { idempotencyKey: delivery } : {}),
        })
    return {
      status: handle.created ? 202 : 200,
      body: { runId: handle.id, created: handle.created },
      audit: {
        resource: { type: 'run', id: handle.id, workflowId: webhook.workflowId },
        change: { webhook: params.name, ...(delivery !== undefined ? { delivery } : {}) },
        actor: { id: `webhook:${params.name}`, method: 'webhook-signature', roles: [] },
      },
    }
  },
})
