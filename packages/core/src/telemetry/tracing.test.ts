import { SpanStatusCode, context, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createStep, createWorkflow } from '../index'
import { openTelemetryTracer } from '../opentelemetry/index'
import { rejectionOf, useEngines } from '../../test/helpers'
import { double, inc, num } from '../../test/fixtures'

let exporter: InMemorySpanExporter
let provider: BasicTracerProvider
const newEngine = useEngines()

beforeEach(() => {
  exporter = new InMemorySpanExporter()
  provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
})

afterEach(async () => {
  trace.disable()
  context.disable()
  await provider.shutdown()
})

const spans = () => exporter.getFinishedSpans()
const named = (prefix: string) => spans().filter((span) => span.name.startsWith(prefix))
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId

describe('OpenTelemetry spans', () => {
  it('one span per run and one per step, step spans children of the run span', async () => {
    const wf = createWorkflow({ id: 'traced', input: num }).then(inc).then(double).commit()
    const engine = newEngine({ tracer: openTelemetryTracer(provider.getTracer('test')) })
    const run = await engine.start(wf, { n: 1 })
    await run.result()

    const runs = named('run ')
    const steps = named('step ')
    expect(runs.map((span) => span.name)).toEqual(['run traced'])
    expect(steps.map((span) => span.name)).toEqual(['step inc', 'step double'])
    const [runSpan] = runs
    expect(runSpan!.attributes).toEqual({
      'tessera.run_id': run.id,
      'tessera.workflow_id': 'traced',
      'tessera.workflow_version': wf.version,
    })
    expect(runSpan!.status.code).toBe(SpanStatusCode.OK)
    expect(parentOf(runSpan!)).toBeUndefined()
    for (const step of steps) {
      expect(step.spanContext().traceId).toBe(runSpan!.spanContext().traceId)
      expect(parentOf(step)).toBe(runSpan!.spanContext().spanId)
      expect(step.attributes).toMatchObject({ 'tessera.run_id': run.id, 'tessera.attempt': 1 })
      expect(step.status.code).not.toBe(SpanStatusCode.ERROR)
      expect(step.ended).toBe(true)
    }
    expect(steps.map((span) => span.attributes['tessera.step_id'])).toEqual(['inc', 'double'])
  })

  it('each run has its own trace', async () => {
    const wf = createWorkflow({ id: 'traced', input: num }).then(inc).commit()
    const engine = newEngine({ tracer: openTelemetryTracer(provider.getTracer('test')) })
    await Promise.all([
      (await engine.start(wf, { n: 1 })).result(),
      (await engine.start(wf, { n: 2 })).result(),
    ])
    const runs = named('run ')
    expect(runs).toHaveLength(2)
    expect(runs[0]!.spanContext().traceId).not.toBe(runs[1]!.spanContext().traceId)
    for (const step of named('step ')) {
      const runSpan = runs.find(
        (span) => span.attributes['tessera.run_id'] === step.attributes['tessera.run_id'],
      )!
      expect(parentOf(step)).toBe(runSpan.spanContext().spanId)
    }
  })

  it('a failing step and its run get error status with the message; retries get a span per attempt', async () => {
    const broken = createStep({
      id: 'broken',
      input: num,
      output: num,
      retry: { attempts: 2, backoff: { initial: 0 } },
      run: ({ attempt }) => {
        throw new Error(`broken ${attempt}`)
      },
    })
    const wf = createWorkflow({ id: 'fails', input: num }).then(inc).then(broken).commit()
    const engine = newEngine({ tracer: openTelemetryTracer(provider.getTracer('test')) })
    const error = await rejectionOf((await engine.start(wf, { n: 1 })).result())

    const attempts = named('step broken')
    expect(attempts.map((span) => span.attributes['tessera.attempt'])).toEqual([1, 2])
    expect(attempts.map((span) => span.status)).toEqual([
      { code: SpanStatusCode.ERROR, message: 'broken 1' },
      { code: SpanStatusCode.ERROR, message: 'broken 2' },
    ])
    expect(named('step inc')[0]!.status.code).not.toBe(SpanStatusCode.ERROR)
    const [runSpan] = named('run ')
    expect(runSpan!.status).toEqual({ code: SpanStatusCode.ERROR, message: error.message })
    expect(runSpan!.ended).toBe(true)
  })

  it('a cancelled run’s span ends with error status', async () => {
    let started!: () => void
    const startedPromise = new Promise<void>((resolve) => (started = resolve))
    const waits = createStep({
      id: 'waits',
      input: num,
      output: num,
      run: ({ signal }) =>
        new Promise<{ n: number }>((_, reject) => {
          started()
          signal.addEventListener('abort', () => reject(signal.reason))
        }),
    })
    const engine = newEngine({ tracer: openTelemetryTracer(provider.getTracer('test')) })
    const run = await engine.start(
      createWorkflow({ id: 'cancelled', input: num }).then(waits).commit(),
      { n: 0 },
    )
    await startedPromise
    await run.cancel('enough')
    await rejectionOf(run.result())
    const [runSpan] = named('run ')
    expect(runSpan!.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: `Run "${run.id}" was cancelled: enough`,
    })
  })

  it('openTelemetryTracer() uses the global tracer provider; without a tracer there are no spans', async () => {
    trace.setGlobalTracerProvider(provider)
    const wf = createWorkflow({ id: 'global', input: num }).then(inc).commit()
    await (await newEngine({ tracer: openTelemetryTracer() }).start(wf, { n: 1 })).result()
    expect(spans().map((span) => span.name)).toEqual(['step inc', 'run global'])
    expect(spans()[0]!.instrumentationScope.name).toBe('@tessera/core')
    exporter.reset()
    await (await newEngine().start(wf, { n: 1 })).result()
    expect(spans()).toEqual([])
  })

  it('rejects an OpenTelemetry tracer passed as it is, saying how to wrap it', () => {
    expect(() => newEngine({ tracer: provider.getTracer('test') as never })).toThrow(
      'wrap an OpenTelemetry tracer with openTelemetryTracer() from @tessera/core/opentelemetry',
    )
  })

  it('a run started inside an active span joins that trace', async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
    const tracer = provider.getTracer('test')
    const engine = newEngine({ tracer: openTelemetryTracer(tracer) })
    const wf = createWorkflow({ id: 'nested', input: num }).then(inc).commit()
    await tracer.startActiveSpan('http request', async (request) => {
      await (await engine.start(wf, { n: 1 })).result()
      request.end()
    })
    const [requestSpan] = named('http request')
    const [runSpan] = named('run ')
    expect(parentOf(runSpan!)).toBe(requestSpan!.spanContext().spanId)
    expect(runSpan!.spanContext().traceId).toBe(requestSpan!.spanContext().traceId)
    expect(parentOf(named('step ')[0]!)).toBe(runSpan!.spanContext().spanId)
  })
})
