import { expect, it } from 'vitest'
import { newRequestId } from './request-id'

it('makes version 4 UUIDs, all different', () => {
  const ids = Array.from({ length: 10_000 }, () => newRequestId())
  for (const id of ids.slice(0, 200)) {
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  }
  expect(new Set(ids).size).toBe(ids.length)
  // Every hex digit of the random part shows up in each position over 10,000 ids.
  const digits = new Set(ids.map((id) => id[0]))
  expect(digits.size).toBe(16)
})
