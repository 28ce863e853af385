// The benchmark workloads as Tessera workflows (built with the public builder). Their plain-async
// twins, inputs and expected outputs are in baselines.mjs.
import { createStep, createWorkflow } from '@tessera/core'
import { z } from 'zod'
import { W2_WIDTH } from './baselines.mjs'

// ── W1 sequential-10: ten steps, each returns { n: n + 1 } ─────────────────────────────────────

const counter = z.object({ n: z.number() })

/** The W1 workflow: input { n } → ten `{ n: n + 1 }` steps → { n: n + 10 }. */
export function buildW1() {
  let builder = createWorkflow({ id: 'bench-w1', input: counter, output: counter })
  for (let i = 0; i < 10; i++) {
    builder = builder.then(
      createStep({
        id: `w1-inc-${i}`,
        input: counter,
        output: counter,
        run: async ({ input }) => ({ n: input.n + 1 }),
      }),
    )
  }
  return builder.commit()
}

// ── W2 fanout-100: fan → 100 parallel steps (step i returns { v: n + i }) → join (sum) ──────────

const item = z.object({ v: z.number() })

/**
 * The W2 workflow, built with the builder:
 * `.then(fan).parallel({ s0: step0, …, s99: step99 }).then(join)`.
 *
 * The issue asks both for "step i returns { v: n + i }" and for a sum of 5050 with input { n: 0 };
 * with i = 0..99 the sum would be 4950. To honour the checked figure (5050 = 1 + … + 100), the
 * branch under key `s${k}` is step number i = k + 1 (id `w2-step-${k + 1}`) and returns
 * { v: n + k + 1 }.
 */
export function buildW2() {
  const fan = createStep({
    id: 'w2-fan',
    input: counter,
    output: counter,
    run: async ({ input }) => ({ n: input.n }),
  })
  const branches = {}
  const joinShape = {}
  for (let i = 0; i < W2_WIDTH; i++) {
    branches[`s${i}`] = createStep({
      id: `w2-step-${i + 1}`,
      input: counter,
      output: item,
      run: async ({ input }) => ({ v: input.n + i + 1 }),
    })
    joinShape[`s${i}`] = item
  }
  const join = createStep({
    id: 'w2-join',
    // A record of the 100 branch outputs, every key required.
    input: z.object(joinShape),
    output: z.object({ sum: z.number() }),
    run: async ({ input }) => {
      let sum = 0
      for (const key in input) sum += input[key].v
      return { sum }
    },
  })
  return createWorkflow({ id: 'bench-w2', input: counter })
    .then(fan)
    .parallel(branches)
    .then(join)
    .commit()
}
