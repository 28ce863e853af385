// Small steps shared by the engine's tests (not published: outside src/).
import { z } from 'zod'
import { createStep } from '../src/index'

/** `{ n: number }`, the shape most test workflows pass along. */
export const num = z.object({ n: z.number() })

/** Synchronous: `{ n } → { n: n + 1 }`. */
export const inc = createStep({
  id: 'inc',
  input: num,
  output: num,
  run: ({ input }) => ({ n: input.n + 1 }),
})

/** Asynchronous: `{ n } → { n: n ** 2 }`. */
export const square = createStep({
  id: 'square',
  input: num,
  output: num,
  run: async ({ input }) => ({ n: input.n ** 2 }),
})

/** Asynchronous: `{ n } → { n: n * 2 }`. */
export const double = createStep({
  id: 'double',
  input: num,
  output: num,
  run: async ({ input }) => ({ n: input.n * 2 }),
})
