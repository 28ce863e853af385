// Shared by the consumer-trigger tests (RabbitMQ, Kafka, NATS, MQTT, Redis streams): a real
// engine on a memory store, a workflow with a strict input schema, a trigger wrapper that
// "crashes" once after the run was durably started (before the acknowledgement), and polling.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import {
  createEngine,
  createMemoryStore,
  createWorkflow,
  type StoreV1,
  type TriggerV1,
} from '@tessera/core'

/** The input every test workflow takes: an order id; anything else is invalid. */
export const orderInput = z.object({ orderId: z.string().min(1) }).strict()

/** A one-step workflow that records the order ids it saw. */
export function orderWorkflow(id: string, seen: string[] = []) {
  return createWorkflow({ id, input: orderInput })
    .map(({ input }) => {
      seen.push(input.orderId)
      return { orderId: input.orderId }
    })
    .commit()
}

/** An engine on its own memory store, with the store at hand to count runs. */
export function testEngine(secrets?: Record<string, string>) {
  const store: StoreV1 = createMemoryStore()
  const engine = createEngine({
    store,
    ...(secrets
      ? {
          secrets: {
            specificationVersion: 'v1' as const,
            provider: 'test-map',
            get: async (name: string) => secrets[name],
          },
        }
      : {}),
  })
  return { engine, store }
}

/** Every run of `workflowId` in `store`. */
export async function runsOf(store: StoreV1, workflowId: string) {
  const page = await store.listRuns({ workflowId, limit: 1000 })
  return page.runs
}

/**
 * The order ids of every run of `workflowId` in `store`, sorted: what the consumer tests compare
 * with the messages they sent.
 *
 * @example
 * ```ts
 * expect(await orderIdsOf(store, workflow.id)).toEqual(['o-0', 'o-1'])
 * ```
 */
export async function orderIdsOf(store: StoreV1, workflowId: string): Promise<string[]> {
  return (await runsOf(store, workflowId))
    .map((run) => (run.input as { orderId: string }).orderId)
    .sort()
}

/** Polls `probe` until it returns true, failing after `timeoutMs` with `what`. */
export async function eventually(
  what: string,
  probe: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await probe()) return
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/**
 * Wraps a trigger so that its first `startRun` that creates a run rejects right after the run
 * was durably created: what a consumer sees when the process dies (or the connection breaks)
 * between the durable start and the acknowledgement. The broker must redeliver, and the
 * redelivery must find the same run.
 */
export function crashingOnce(
  trigger: TriggerV1,
): TriggerV1 & { crashes: number; duplicates: number } {
  const wrapped = {
    ...trigger,
    crashes: 0,
    /** startRun calls that found the run already there (the redeliveries). */
    duplicates: 0,
    start: (context: Parameters<TriggerV1['start']>[0]) =>
      trigger.start({
        ...context,
        async startRun(input, options) {
          const result = await context.startRun(input, options)
          if (result.created && wrapped.crashes === 0) {
            wrapped.crashes++
            throw new Error('simulated crash after the durable start, before the ack')
          }
          if (!result.created) wrapped.duplicates++
          return result
        },
      }),
  }
  return wrapped
}

/**
 * Wraps a trigger so that every `startRun` rejects (the store is down) until `state.healthy` is
 * set; `state.failures` counts the refused starts. The consumer must keep the message and try
 * again, not acknowledge it.
 *
 * @example
 * ```ts
 * const down = storeDownUntilHealthy(kafkaTrigger(options))
 * await engine.startTrigger(down.trigger)
 * await eventually('a refused start', () => down.state.failures > 0)
 * down.state.healthy = true
 * ```
 */
export function storeDownUntilHealthy(trigger: TriggerV1) {
  const state = { healthy: false, failures: 0 }
  const wrapped: TriggerV1 = {
    ...trigger,
    start: (context) =>
      trigger.start({
        ...context,
        async startRun(input, options) {
          if (!state.healthy) {
            state.failures++
            throw new Error('store unavailable')
          }
          return context.startRun(input, options)
        },
      }),
  }
  return { trigger: wrapped, state }
}

/**
 * Runs an ES module snippet in a child Node process (cwd: packages/connectors, so the SDKs
 * resolve) and returns its trimmed stdout. The conformance suite reads what a broker received
 * synchronously; this is how the tests ask the broker.
 */
export function nodeSync(code: string): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: connectorsRoot,
    encoding: 'utf8',
    timeout: 30_000,
  }).trim()
}

const connectorsRoot = fileURLToPath(new URL('..', import.meta.url))
