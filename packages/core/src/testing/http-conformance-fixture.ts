import { z } from 'zod'
import { createStep } from '../builder/step'
import { createWorkflow } from '../builder/workflow-builder'
import type { HttpHandlerOptions } from '../http/http-handler-options'
import { apiKeyAuth } from '../http/security/api-key-auth'
import { createApiKeys } from '../http/security/api-keys'
import type { Engine } from '../runtime/engine'
import type { Workflow } from '../builder/workflow'

/** The origin the conformance handler allows cross-origin requests from. */
export const httpConformanceOrigin = 'https://app.example'

/** The request body limit of the conformance handler (a larger body gets 413). */
export const httpConformanceBodyBytes = 16 * 1024

const amount = z.object({ amount: z.number().int().nonnegative() })

const double = createStep({
  id: 'conformance-double',
  input: amount,
  output: amount,
  run: ({ input }) => ({ amount: input.amount * 2 }),
})

const approvalWorkflow = createWorkflow({ id: 'conformance-approval', input: amount })
  .then(double)
  .approval({ id: 'manager', schema: z.object({ note: z.string().optional() }) })
  .map(({ input }) =>
    input.approved
      ? { outcome: 'approved', note: input.data.note ?? null }
      : { outcome: 'rejected', reason: input.reason ?? null },
  )
  .commit()

const eventWorkflow = createWorkflow({ id: 'conformance-event', input: amount })
  .then(double)
  .waitForEvent('conformance-go', { schema: z.object({ add: z.number().int() }) })
  .map(({ input }) => ({ added: input.add }))
  .commit()

/**
 * The workflows the HTTP conformance suite runs, as an engine must have them registered:
 * `conformance-approval` (a step, then the approval `manager`) and `conformance-event` (a
 * step, then the event `conformance-go` with `{ add }`). Both wait on the HTTP API alone, so
 * the suite drives them over the wire, whatever process executes them.
 *
 * @example
 * ```ts
 * const engine = createEngine({ workflows: httpConformanceWorkflows })
 * ```
 */
export const httpConformanceWorkflows: readonly Workflow[] = [approvalWorkflow, eventWorkflow]

/** Bearer tokens of the API keys {@link createHttpConformanceSetup} creates, one per role. */
export interface HttpConformanceTokens {
  /** Role `admin`: every permission. */
  admin: string
  /** Role `viewer`: reads runs, workflows and definitions; may not start runs. */
  viewer: string
}

/**
 * What the HTTP conformance suite serves: API keys for its roles (created in the engine's store,
 * which must keep records) and the handler options (API-key auth, CORS for
 * {@link httpConformanceOrigin}, a {@link httpConformanceBodyBytes} body limit). A server that
 * builds its own handler (the `tessera serve` sidecar) calls it from its config and hands the
 * tokens to the suite.
 *
 * @example
 * ```ts
 * // tessera.config.ts of a sidecar under test
 * export default defineConfig({
 *   engine: { workflows: httpConformanceWorkflows },
 *   http: async (engine) => {
 *     const { options, tokens } = await createHttpConformanceSetup(engine)
 *     writeFileSync(process.env.TOKENS_FILE!, JSON.stringify(tokens))
 *     return options
 *   },
 * })
 * ```
 */
export async function createHttpConformanceSetup(
  engine: Engine,
): Promise<{ options: HttpHandlerOptions; tokens: HttpConformanceTokens }> {
  const keys = createApiKeys(engine.store)
  const admin = await keys.create({
    principalId: 'conformance-admin',
    name: 'admin',
    roles: ['admin'],
  })
  const viewer = await keys.create({
    principalId: 'conformance-viewer',
    name: 'viewer',
    roles: ['viewer'],
  })
  return {
    options: {
      auth: [apiKeyAuth({ store: engine.store })],
      cors: { origin: [httpConformanceOrigin] },
      limits: { bodyBytes: httpConformanceBodyBytes },
    },
    tokens: { admin: admin.token, viewer: viewer.token },
  }
}
