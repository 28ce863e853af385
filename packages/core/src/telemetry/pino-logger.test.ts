import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createStep, createWorkflow, pinoLogger } from '../index'
import { useEngines } from '../../test/helpers'

/** A real pino logger writing JSON lines into an array. */
function capture(level: pino.LevelWithSilent = 'debug') {
  const lines: Record<string, unknown>[] = []
  const stream = { write: (line: string) => void lines.push(JSON.parse(line)) }
  const logger = pino({ level, base: undefined, timestamp: false }, stream)
  return { lines, logger }
}

const newEngine = useEngines()

describe('pinoLogger', () => {
  it('maps (message, fields) onto pino’s (fields, message), at each level', () => {
    const { lines, logger } = capture()
    const adapted = pinoLogger(logger)
    adapted.debug('d', { a: 1 })
    adapted.info('i')
    adapted.warn('w', { nested: { b: [1, 2] } })
    adapted.error('e', { code: 'x' })
    expect(lines).toEqual([
      { level: 20, msg: 'd', a: 1 },
      { level: 30, msg: 'i' },
      { level: 40, msg: 'w', nested: { b: [1, 2] } },
      { level: 50, msg: 'e', code: 'x' },
    ])
  })

  it('child loggers add their bindings to every line, cumulatively', () => {
    const { lines, logger } = capture()
    const child = pinoLogger(logger).child({ runId: 'r1' }).child({ stepId: 's1' })
    child.info('hello', { extra: true })
    expect(lines).toEqual([{ level: 30, runId: 'r1', stepId: 's1', msg: 'hello', extra: true }])
  })

  it('respects pino’s level', () => {
    const { lines, logger } = capture('warn')
    const adapted = pinoLogger(logger)
    adapted.debug('no')
    adapted.info('no')
    adapted.warn('yes')
    expect(lines.map((line) => line.msg)).toEqual(['yes'])
  })

  it('a step’s logger is bound to the engine, run, step and attempt', async () => {
    const { lines, logger } = capture()
    const charge = createStep({
      id: 'charge',
      input: z.object({ amount: z.number() }),
      output: z.object({ ok: z.boolean() }),
      retry: { attempts: 2, backoff: { initial: 0 } },
      run: ({ input, logger, attempt }) => {
        logger.info('charging', { amount: input.amount })
        if (attempt === 1) throw new Error('declined')
        return { ok: true }
      },
    })
    const engine = newEngine({ logger: pinoLogger(logger) })
    const run = await engine.start(
      createWorkflow({ id: 'pay', input: z.object({ amount: z.number() }) })
        .then(charge)
        .commit(),
      {
        amount: 5,
      },
    )
    await run.result()
    const charging = lines.filter((line) => line.msg === 'charging')
    expect(charging).toEqual([
      {
        level: 30,
        engine: engine.id,
        runId: run.id,
        stepId: 'charge',
        attempt: 1,
        msg: 'charging',
        amount: 5,
      },
      {
        level: 30,
        engine: engine.id,
        runId: run.id,
        stepId: 'charge',
        attempt: 2,
        msg: 'charging',
        amount: 5,
      },
    ])
  })

  it('the engine logs a throwing event listener as an error, with the serialised error', async () => {
    const { lines, logger } = capture()
    const engine = newEngine({ logger: pinoLogger(logger) })
    engine.on('run-end', () => {
      throw new Error('listener bug')
    })
    const wf = createWorkflow({ id: 'noisy', input: z.object({}) })
      .map(() => 1)
      .commit()
    const run = await engine.start(wf, {})
    expect(await run.result()).toBe(1)
    await new Promise((resolve) => setImmediate(resolve))
    expect(lines).toContainEqual({
      level: 50,
      engine: engine.id,
      msg: 'An event listener threw; the run goes on',
      event: 'run-end',
      runId: run.id,
      error: { name: 'Error', code: 'internal', message: 'listener bug', retryable: true },
    })
  })
})
