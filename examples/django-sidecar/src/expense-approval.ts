// The workflow the Django app drives through the sidecar: a policy check, then a manager's
// approval, then the outcome. Registered by tessera.config.ts.
import { createStep, createWorkflow } from '@tessera/core'
import { z } from 'zod'

const expense = z.object({
  employee: z.string().min(1),
  amount: z.number().positive(),
  description: z.string().default(''),
})

const checkPolicy = createStep({
  id: 'check-policy',
  input: expense,
  output: expense.extend({ category: z.enum(['small', 'large']) }),
  run: ({ input }) => ({
    ...input,
    category: input.amount > 100 ? ('large' as const) : ('small' as const),
  }),
})

/** `expense-approval`: waits for the approval `manager` (data: an optional note). */
export const expenseApproval = createWorkflow({
  id: 'expense-approval',
  description: 'Checks an expense against the policy, then waits for a manager to approve it',
  input: expense,
})
  .then(checkPolicy)
  .approval({ id: 'manager', schema: z.object({ note: z.string().max(200).optional() }) })
  .map(({ input }) =>
    input.approved
      ? { outcome: 'paid' as const, by: input.by ?? null, note: input.data.note ?? null }
      : { outcome: 'refused' as const, by: input.by ?? null, reason: input.reason ?? null },
  )
  .commit()
