import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createEngine, createStep, createWorkflow } from '../index'

const inc = createStep({
  id: 'inc',
  input: z.object({ n: z.number() }),
  output: z.object({ n: z.number() }),
  run: ({ input }) => ({ n: input.n + 1 }),
})

describe('engine smoke', () => {
  it('runs a sequence', async () => {
    const wf = createWorkflow({ id: 'seq', input: z.object({ n: z.number() }) }).then(inc).then(inc).then(inc).commit()
    const engine = createEngine()
    const run = await engine.start(wf, { n: 0 })
    const events: string[] = []
    run.on('step-end', (e) => events.push(e.stepId))
    expect(await run.result()).toEqual({ n: 3 })
    expect(events).toEqual(['inc', 'inc-1', 'inc-2'])
    await engine.close()
  })
})
