// The benchmark workloads, each as a Tessera workflow and as the same computation written as
// plain async functions (the baseline). Every result is checked: a wrong output throws.
import { createStep, createWorkflow } from '@tessera/core'
import { z } from 'zod'

export const W2_WIDTH = 100

/** Throws unless `actual` deep-equals `expected` (plain JSON values only). */
export function check(label, actual, expected) {
  if (!jsonEqual(actual, expected)) {
    throw new Error(
      `${label}: wrong output: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
    )
  }
}

function jsonEqual(a, b) {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const keysA = Object.keys(a)
  const keysB = Object.keys(b)
  if (keysA.length !== keysB.length) return false
  for (const key of keysA) {
    if (!Object.prototype.hasOwnProperty.call(b, key) || !jsonEqual(a[key], b[key])) return false
  }
  return true
}

// ── W1 sequential-10: ten steps, each returns { n: n + 1 } ─────────────────────────────────────

const counter = z.object({ n: z.number() })
export const W1_INPUT = { n: 0 }
export const W1_OUTPUT = { n: 10 }

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

const incs = Array.from({ length: 10 }, () => async (input) => ({ n: input.n + 1 }))

/** W1 as plain code: ten awaited async functions. */
export async function baselineW1(input) {
  let value = input
  for (let i = 0; i < incs.length; i++) value = await incs[i](value)
  return value
}

// ── W2 fanout-100: fan → 100 parallel steps (step i returns { v: n + i }) → join (sum) ──────────

const item = z.object({ v: z.number() })
export const W2_INPUT = { n: 0 }
export const W2_OUTPUT = { sum: (W2_WIDTH * (W2_WIDTH + 1)) / 2 } // 5050 (steps i = 1..100)

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
  const fan = createStep({ id: 'w2-fan', input: counter, output: counter, run: async ({ input }) => ({ n: input.n }) })
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

const fanFn = async (input) => ({ n: input.n })
const branchFns = Array.from({ length: W2_WIDTH }, (_, i) => async (input) => ({ v: input.n + i + 1 }))
const branchKeys = Array.from({ length: W2_WIDTH }, (_, i) => `s${i}`)
const joinFn = async (input) => {
  let sum = 0
  for (const key in input) sum += input[key].v
  return { sum }
}

/** W2 as plain code: fan, Promise.all of 100 async functions into a record, join. */
export async function baselineW2(input) {
  const fanned = await fanFn(input)
  const outputs = await Promise.all(branchFns.map((fn) => fn(fanned)))
  const record = {}
  for (let i = 0; i < outputs.length; i++) record[branchKeys[i]] = outputs[i]
  return joinFn(record)
}
