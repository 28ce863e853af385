// Steps shared by the designer's tests (not published: outside src/).
import { z } from 'zod'
import { createStep } from '@tessera/core'

export const order = z.object({ id: z.string(), total: z.number() })

export const fetchOrder = createStep({
  id: 'fetch-order',
  input: z.object({ id: z.string() }),
  output: order,
  run: ({ input }) => ({ id: input.id, total: 10 }),
})

export const approve = createStep({
  id: 'approve',
  input: order,
  output: order,
  run: ({ input }) => input,
})

export const notify = createStep({
  id: 'notify',
  input: order,
  output: z.object({ sent: z.boolean() }),
  run: () => ({ sent: true }),
})

export const audit = createStep({
  id: 'audit',
  input: order,
  output: z.object({ logged: z.boolean() }),
  run: () => ({ logged: true }),
})
