import { z } from 'zod'

/**
 * A model's confidence, from 0 to 1. The range is checked on the answer (out of range → the
 * model is asked to repair it), not written into the JSON Schema: numeric bounds are not
 * something every provider's structured output can enforce (llama.cpp grammars cannot).
 *
 * @example
 * ```ts
 * z.object({ label: z.enum(['a', 'b']), confidence: confidenceSchema })
 * ```
 */
export const confidenceSchema = z
  .number()
  .refine((value) => value >= 0 && value <= 1, {
    message: 'confidence must be a number from 0 to 1',
  })
  .describe('How sure you are, from 0 (a guess) to 1 (certain).')

/**
 * Short reasons for an answer: one to five non-empty strings.
 *
 * @example
 * ```ts
 * z.object({ decision: z.enum(['approve', 'reject']), reasons: reasonsSchema })
 * ```
 */
export const reasonsSchema = z
  .array(z.string())
  .min(1)
  .max(5)
  .refine((reasons) => reasons.every((reason) => reason.trim() !== ''), {
    message: 'reasons must not be empty strings',
  })
  .describe('One to five short reasons, each pointing at what in the input decided it.')
