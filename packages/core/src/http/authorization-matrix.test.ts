import { afterEach, describe, expect, it } from 'vitest'
import { createHttpKit, happy, sendHappy, type HttpKit } from '../../test/http-kit'
import { httpRoutes } from './create-http-handler'
import { defaultRoles } from './security/access-control'
import { permissionMatches } from './security/patterns'

const kits: HttpKit[] = []
afterEach(async () => {
  await Promise.all(kits.splice(0).map((kit) => kit.close()))
})

// Every authenticated route × every default role: the happy request succeeds exactly when the
// role holds the route's permission, and is a 403 otherwise.
const rows = httpRoutes
  .filter(
    (route) => typeof route.permission === 'string' && !['health', 'ready'].includes(route.id),
  )
  .flatMap((route) =>
    Object.entries(defaultRoles).map(([role, permissions]) => {
      const allowed = (permissions as readonly string[]).some((pattern) =>
        permissionMatches(pattern, route.permission as string),
      )
      return [route.id, role, allowed ? happy[route.id]!.status : 403] as const
    }),
  )

describe('authorisation matrix (default roles)', () => {
  it('covers every authenticated route', () => {
    expect(new Set(rows.map(([id]) => id)).size).toBe(httpRoutes.length - 3)
  })

  it.each(rows)('%s as %s → %i', async (routeId, role, status) => {
    const kit = createHttpKit()
    kits.push(kit)
    const response = await sendHappy(routeId, { as: `user-${role}:${role}` })(kit)
    await response.body?.cancel()
    expect(response.status).toBe(status)
  })
})
