// The plain-async baselines: the same computations as the benchmark workflows, written as plain
// async functions. Imports nothing, so a baseline process loads neither core nor zod. Also holds
// the inputs, the expected outputs and the output check shared with the engine variants.

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

// ── W1 sequential-10 ──────────────────────────────────────────────────────────────────────────

export const W1_INPUT = { n: 0 }
export const W1_OUTPUT = { n: 10 }

const incs = Array.from({ length: 10 }, () => async (input) => ({ n: input.n + 1 }))

/** W1 as plain code: ten awaited async functions. */
export async function baselineW1(input) {
  let value = input
  for (let i = 0; i < incs.length; i++) value = await incs[i](value)
  return value
}

// ── W2 fanout-100 ─────────────────────────────────────────────────────────────────────────────

export const W2_INPUT = { n: 0 }
export const W2_OUTPUT = { sum: (W2_WIDTH * (W2_WIDTH + 1)) / 2 } // 5050 (steps i = 1..100)

const fanFn = async (input) => ({ n: input.n })
const branchFns = Array.from({ length: W2_WIDTH }, (_, i) => async (input) => ({
  v: input.n + i + 1,
}))
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
