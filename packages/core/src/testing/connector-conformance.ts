import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createWorkflow } from '../builder/workflow-builder'
import type { Workflow } from '../builder/workflow'
import { ConnectorError } from '../errors/connector-error'
import { ConnectorConfigError } from '../errors/connector-config-error'
import { RunCancelledError } from '../errors/run-cancelled-error'
import { InvalidArgumentError } from '../errors/invalid-argument-error'
import type { ConnectorV1 } from '../ports/connector-v1'
import type { Logger } from '../ports/logger'
import { secretSchemaKeyword } from '../ports/secrets-provider-v1'
import { createEngine, type Engine } from '../runtime/engine'
import type { EngineEvent } from '../runtime/events'
import { findSecretRefs, withSecrets } from '../runtime/secret-refs'
import { mapSecrets } from '../secrets/map-secrets'
import {
  captureLogger,
  credentialName,
  hasDescription,
  rejectionOf,
  schemaProperties,
  settles,
  someMember,
  waitFor,
  type JsonSchema,
} from './connector-conformance-support'
import { uniqueId } from './fixtures'

/** An action call for the suite: which action, with what input (and optionally another config). */
export interface ConnectorConformanceCall {
  name: string
  input: unknown
  /** A config for this call instead of `config()` (JSON, secret references allowed). */
  config?: unknown
}

/**
 * How to run the connector conformance suite on one connector. Values that depend on a server
 * started in `beforeAll` (its URL) are thunks, read when a test runs.
 */
/** Why a check of the suite does not apply to a connector: the skipped test's title says it. */
export interface NotApplicable {
  unsupported: string
}

const notApplicable = (value: unknown): value is NotApplicable =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as NotApplicable).unsupported === 'string' &&
  Object.keys(value).length === 1

/**
 * Registers `title` as a test when `given` is usable, else as a skipped test whose title says why
 * (a skip always carries its reason).
 */
function itUnless<T>(
  given: T | NotApplicable,
  title: string,
  test: (value: T) => Promise<void>,
  timeout: number,
): void {
  if (notApplicable(given)) {
    if (given.unsupported.trim() === '') {
      throw new InvalidArgumentError({
        fn: 'describeConnectorConformance',
        argument: `{ unsupported } of "${title}"`,
        expected: 'a non-empty reason why the check does not apply',
        received: given.unsupported,
      })
    }
    it.skip(`${title} (not applicable: ${given.unsupported})`, () => {})
  } else it(title, () => test(given), timeout)
}

export interface ConnectorConformanceOptions {
  connector: ConnectorV1
  /** A name for the `describe` block. Default: the connector's id. */
  name?: string
  /** A working config as a definition holds it: credentials as `{ $secret: 'NAME' }`. */
  config: () => unknown
  /** The values of the secrets `config()` refers to. Each must appear nowhere it should not. */
  secrets: Readonly<Record<string, string>>
  /** A call that succeeds with `config()` and `secrets`. */
  action: ConnectorConformanceCall | (() => ConnectorConformanceCall)
  /** A config whose host does not answer (a closed port): the call must fail with `network` or `timeout`. */
  unreachable: () => unknown
  /**
   * Secrets the remote rejects: the call must fail with `unauthorized`; or why the check does not
   * apply (`{ unsupported: 'no credentials' }`), which names the skipped test.
   */
  rejectedSecrets: Readonly<Record<string, string>> | NotApplicable
  /**
   * A call the server holds open, for the cancellation checks. `inFlight()` is true once the
   * server has the request; `released()` (optional) true once it saw the client go away. Or why
   * the protocol has no such call (`{ unsupported: 'the broker acknowledges at once' }`), which
   * names the skipped tests.
   */
  slow:
    | (() => ConnectorConformanceCall & {
        inFlight: () => boolean | Promise<boolean>
        released?: () => boolean | Promise<boolean>
      })
    | NotApplicable
  /**
   * Where the server records the idempotency key it received with the last call of `action`
   * (sync or async: reading it back from a database is fine), and `failNext()` making it answer
   * the next call with an error (such as HTTP 503) so that `engine.retry()` of that step can be
   * checked to send the same key; or why the protocol has no place for a key.
   */
  idempotency:
    | {
        lastReceived: () => string | undefined | Promise<string | undefined>
        failNext?: () => void | Promise<void>
      }
    | { unsupported: string }
  /**
   * Config field names that look like credentials but are not (`maxTokens`), with the reason.
   * Matched against the field's own name.
   */
  notSecrets?: Readonly<Record<string, string>>
  /** How long to wait for a call or a run before failing. Default 10 000 ms. */
  timeoutMs?: number
}

/**
 * The `ConnectorV1` conformance suite, one `it` per property: schema completeness (names,
 * descriptions, examples, credentials only as secret references), secret handling (a run
 * through an engine leaves the secret values in no definition, registry description, stored
 * step, event, error or log line), error mapping (unreachable host → `network`/`timeout`,
 * rejected credentials → `unauthorized`, a missing secret → `ConnectorConfigError` before any
 * run exists), cancellation (a cancelled run aborts the call in flight) and idempotency key
 * forwarding (the server receives the step's key, the same on a retry).
 *
 * @example
 * ```ts
 * describeConnectorConformance({
 *   connector: slackConnector,
 *   config: () => ({ token: { $secret: 'SLACK_TOKEN' }, baseUrl: server.url }),
 *   secrets: { SLACK_TOKEN: 'xoxb-conformance-secret' },
 *   action: { name: 'send-message', input: { channel: 'C1', text: 'hi' } },
 *   unreachable: () => ({ token: { $secret: 'SLACK_TOKEN' }, baseUrl: 'http://127.0.0.1:9' }),
 *   rejectedSecrets: { SLACK_TOKEN: 'xoxb-wrong' },
 *   slow: () => ({ name: 'send-message', input: { channel: 'SLOW', text: 'hi' }, inFlight: () => server.holding > 0 }),
 *   idempotency: { lastReceived: () => server.lastIdempotencyKey, failNext: () => server.failNext(503) },
 * })
 * ```
 */
export function describeConnectorConformance(options: ConnectorConformanceOptions): void {
  const { connector } = options
  const timeoutMs = options.timeoutMs ?? 10_000
  // Each test may wait for a few calls: its own limit is above the waits' so they report first.
  const testTimeout = timeoutMs * 3
  const call = () => (typeof options.action === 'function' ? options.action() : options.action)
  const secretValues = Object.values(options.secrets)

  describe(`ConnectorV1 conformance: ${options.name ?? connector?.id}`, () => {
    const engines: Engine[] = []
    afterEach(async () => {
      await Promise.all(engines.splice(0).map((engine) => engine.close()))
    })
    const newEngine = (secrets: Readonly<Record<string, string>>, logger?: Logger) => {
      const engine = createEngine({ secrets: mapSecrets(secrets), ...(logger ? { logger } : {}) })
      engines.push(engine)
      return engine
    }
    const workflowOf = (step: ConnectorConformanceCall, config: unknown): Workflow =>
      (createWorkflow({ id: uniqueId(`conformance-${connector.id}`), input: z.unknown() }) as any)
        .action(connector, step.name, config, { id: 'call' })
        .commit()
    /** Runs an action directly, with `config`'s references resolved from `secrets`. */
    const runDirect = (
      step: ConnectorConformanceCall,
      config: unknown,
      secrets: Readonly<Record<string, string>>,
      signal: AbortSignal = new AbortController().signal,
    ) => {
      const parsed = connector.config.parse(config)
      const refs = findSecretRefs(parsed)
      const resolved = withSecrets(
        parsed,
        refs,
        refs.map((ref) => secrets[ref.name] ?? ''),
      )
      const input = connector.actions[step.name]!.input.parse(step.input)
      return connector.actions[step.name]!.run({
        config: resolved as never,
        input,
        signal,
        idempotencyKey: uniqueId('conformance-key'),
        logger: captureLogger(),
      })
    }

    it(
      'describes itself: name, description, docs; actions with title, description and examples that parse',
      () => {
        expect(connector.specificationVersion).toBe('v1')
        expect(connector.kind).toBe('connector')
        for (const field of ['name', 'description', 'docs'] as const) {
          expect(typeof connector[field], `connector.${field}`).toBe('string')
          expect((connector[field] as string).length, `connector.${field}`).toBeGreaterThan(0)
        }
        expect(Object.keys(connector.actions).length).toBeGreaterThan(0)
        for (const [name, action] of Object.entries(connector.actions)) {
          expect(action.title, `actions.${name}.title`).toEqual(expect.any(String))
          expect(action.description, `actions.${name}.description`).toEqual(expect.any(String))
          expect(action.examples?.length ?? 0, `actions.${name}.examples`).toBeGreaterThan(0)
          for (const [index, example] of (action.examples ?? []).entries()) {
            const parsed = action.input.safeParse(example.input)
            expect(parsed.success, `actions.${name}.examples[${index}] parses`).toBe(true)
          }
        }
      },
      testTimeout,
    )

    it(
      'describes every config and input field, and takes credentials only as secret references',
      () => {
        const missing: string[] = []
        const configSchema = z.toJSONSchema(connector.config, {
          unrepresentable: 'any',
          io: 'input',
        }) as JsonSchema
        const fields = schemaProperties(configSchema)
        for (const field of fields)
          if (!hasDescription(field.schema)) missing.push(`config.${field.path.join('.')}`)
        for (const [name, action] of Object.entries(connector.actions)) {
          const inputSchema = z.toJSONSchema(action.input, {
            unrepresentable: 'any',
            io: 'input',
          }) as JsonSchema
          for (const field of schemaProperties(inputSchema))
            if (!hasDescription(field.schema))
              missing.push(`actions.${name}.input.${field.path.join('.')}`)
        }
        expect(missing, 'fields without a description').toEqual([])

        const base = connector.config.parse(options.config()) as Record<string, unknown>
        const inlineAccepted: string[] = []
        const notMarked: string[] = []
        for (const field of fields) {
          if (!credentialName.test(field.name) || options.notSecrets?.[field.name] !== undefined)
            continue
          const secret = someMember(
            field.schema,
            (member) => member[secretSchemaKeyword] === true && member.writeOnly === true,
          )
          if (!secret) notMarked.push(`config.${field.path.join('.')}`)
          // The inline form of the credential must not parse, where the working config has a
          // place to put it (its parent object).
          const parentPath = field.path.slice(0, -1)
          if (parentPath.some((part) => typeof part === 'number' || part === '*')) continue
          const copy = structuredClone(options.config()) as Record<string, unknown>
          let parent: Record<string, unknown> | undefined = copy
          for (const part of parentPath)
            parent = parent?.[part] as Record<string, unknown> | undefined
          if (typeof parent !== 'object' || parent === null) continue
          parent[field.name] = 'inline-credential-value'
          if (connector.config.safeParse(copy).success)
            inlineAccepted.push(`config.${field.path.join('.')}`)
        }
        expect(notMarked, 'credential-like fields that are not secretRef()').toEqual([])
        expect(inlineAccepted, 'credential fields that accept an inline string').toEqual([])
        expect(base).toBeTypeOf('object')
        // The working config refers to every secret it is given, by reference only.
        const names = findSecretRefs(base).map((ref) => ref.name)
        for (const name of Object.keys(options.secrets)) expect(names).toContain(name)
      },
      testTimeout,
    )

    it(
      'keeps secret values out of definitions, the registry, stored runs, events, errors and logs',
      async () => {
        const logger = captureLogger()
        const engine = newEngine(options.secrets, logger)
        const events: EngineEvent[] = []
        for (const name of [
          'run-start',
          'step-start',
          'step-end',
          'step-retry',
          'run-end',
        ] as const)
          engine.on(name, (event: EngineEvent) => events.push(event))
        const ok = workflowOf(call(), options.config())
        const run = await engine.start(ok, call().input)
        await run.result()
        // A failing call too: its error must not carry the secrets either.
        const failing = workflowOf(call(), options.unreachable())
        const failed = await engine.start(failing, call().input)
        await rejectionOf(failed.result(), timeoutMs, 'the call to an unreachable host')
        const texts = {
          definitions: JSON.stringify([ok.definition, failing.definition]),
          registry: JSON.stringify(engine.registry.describe()),
          run: JSON.stringify(await engine.store.getRunHistory(run.id)),
          failedRun: JSON.stringify(await engine.store.getRunHistory(failed.id)),
          events: JSON.stringify(events),
          logs: logger.lines.join('\n'),
        }
        for (const [where, text] of Object.entries(texts))
          for (const [name, value] of Object.entries(options.secrets))
            expect(text.includes(value), `secret ${name} appears in ${where}`).toBe(false)
        expect(secretValues.length).toBeGreaterThan(0)
      },
      testTimeout,
    )

    it(
      'maps an unreachable host to ConnectorError network (or timeout)',
      async () => {
        const error = await rejectionOf(
          runDirect(call(), options.unreachable(), options.secrets),
          timeoutMs,
          'the call to an unreachable host',
        )
        expect(ConnectorError.isInstance(error), String(error)).toBe(true)
        expect(['network', 'timeout']).toContain((error as ConnectorError).reason)
        expect((error as ConnectorError).retryable).toBe(true)
        if (connector.check) {
          const engine = newEngine(options.secrets)
          const workflow = workflowOf(call(), options.unreachable())
          const problem = (await rejectionOf(
            engine.preflight(workflow, { connect: true }),
            timeoutMs,
            'preflight against an unreachable host',
          )) as ConnectorConfigError
          expect(ConnectorConfigError.isInstance(problem), String(problem)).toBe(true)
          expect(problem.issues.map((issue) => issue.reason)).toContain('unreachable')
        }
      },
      testTimeout,
    )

    itUnless(
      options.rejectedSecrets,
      'maps rejected credentials to ConnectorError unauthorized, without echoing them',
      async (rejected) => {
        const error = await rejectionOf(
          runDirect(call(), options.config(), rejected),
          timeoutMs,
          'the call with rejected credentials',
        )
        expect(ConnectorError.isInstance(error), String(error)).toBe(true)
        expect((error as ConnectorError).reason).toBe('unauthorized')
        const text = JSON.stringify((error as ConnectorError).toJSON())
        for (const value of Object.values(rejected)) expect(text).not.toContain(value)
        if (connector.check) {
          const engine = newEngine(rejected)
          const problem = (await rejectionOf(
            engine.preflight(workflowOf(call(), options.config()), { connect: true }),
            timeoutMs,
            'preflight with rejected credentials',
          )) as ConnectorConfigError
          expect(ConnectorConfigError.isInstance(problem), String(problem)).toBe(true)
          expect(problem.issues.map((issue) => issue.reason)).toContain('unauthorized')
        }
      },
      testTimeout,
    )

    it(
      'refuses to start a run when a secret is missing (ConnectorConfigError, no run created)',
      async () => {
        const engine = newEngine({})
        const workflow = workflowOf(call(), options.config())
        const error = (await rejectionOf(
          engine.start(workflow, call().input),
          timeoutMs,
          'starting without the secrets',
        )) as ConnectorConfigError
        expect(ConnectorConfigError.isInstance(error), String(error)).toBe(true)
        expect(error.issues.every((issue) => issue.reason === 'missing-secret')).toBe(true)
        expect(error.issues.map((issue) => issue.secret).sort()).toEqual(
          [...new Set(Object.keys(options.secrets))].sort(),
        )
        expect((await engine.listRuns()).runs).toEqual([])
        await expect(engine.preflight(workflow)).rejects.toMatchObject({
          code: 'connector_config_invalid',
        })
      },
      testTimeout,
    )

    itUnless(
      options.slow,
      'aborts a call in flight: the signal ends it with ConnectorError aborted',
      async (slowCall) => {
        const slow = slowCall()
        const controller = new AbortController()
        const pending = runDirect(
          slow,
          slow.config ?? options.config(),
          options.secrets,
          controller.signal,
        )
        pending.catch(() => undefined)
        await waitFor(slow.inFlight, timeoutMs, 'the slow call to reach the server')
        controller.abort()
        const error = await rejectionOf(pending, timeoutMs, 'the aborted call')
        expect(ConnectorError.isInstance(error), String(error)).toBe(true)
        expect((error as ConnectorError).reason).toBe('aborted')
        if (slow.released) await waitFor(slow.released, timeoutMs, 'the server to see the call go')
      },
      testTimeout,
    )

    itUnless(
      options.slow,
      'cancelling the run ends the step in flight and aborts its call',
      async (slowCall) => {
        const slow = slowCall()
        const engine = newEngine(options.secrets)
        const run = await engine.start(
          workflowOf(slow, slow.config ?? options.config()),
          slow.input,
        )
        await waitFor(slow.inFlight, timeoutMs, 'the slow call to reach the server')
        await engine.cancel(run.id, 'conformance')
        const error = await rejectionOf(run.result(), timeoutMs, 'the cancelled run')
        expect(RunCancelledError.isInstance(error), String(error)).toBe(true)
        expect((await engine.store.getRun(run.id))?.status).toBe('cancelled')
        if (slow.released) await waitFor(slow.released, timeoutMs, 'the server to see the call go')
        // close() waits for running steps: it hangs if the call was not really aborted.
        await settles(engine.close(), timeoutMs, 'closing the engine after the cancelled call')
      },
      testTimeout,
    )

    itUnless(
      options.idempotency,
      'forwards the step idempotency key, the same on a retry of the step',
      async (idempotency) => {
        const engine = newEngine(options.secrets)
        const first = await engine.start(workflowOf(call(), options.config()), call().input)
        await first.result()
        const received = await idempotency.lastReceived()
        expect(received, 'the key the server received').toEqual(expect.any(String))
        expect(received).toContain(first.id)
        const second = await engine.start(workflowOf(call(), options.config()), call().input)
        await second.result()
        expect(await idempotency.lastReceived()).not.toBe(received)
        if (idempotency.failNext) {
          // The call fails once (retryable, no automatic retry): the run fails; engine.retry()
          // runs the same step instance again, which must present the same key.
          await idempotency.failNext()
          const failed = await engine.start(workflowOf(call(), options.config()), call().input)
          await rejectionOf(failed.result(), timeoutMs, 'the call told to fail')
          const firstKey = await idempotency.lastReceived()
          expect(firstKey, 'the key of the failed attempt').toContain(failed.id)
          const retried = await engine.retry(failed.id)
          await retried.result()
          expect(await idempotency.lastReceived(), 'the key of the retry').toBe(firstKey)
        }
      },
      testTimeout,
    )
  })
}
