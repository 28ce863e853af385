import Fastify from 'fastify'
import { describeHttpConformance } from '@tessera/core/testing'
import { tesseraFastify } from './tessera-fastify'

describeHttpConformance({
  name: 'Fastify 5',
  basePath: '/api/tessera',
  serve: async (handler) => {
    const app = Fastify()
    // A route of the app beside the plugin, with Fastify's own JSON parser: they must not clash.
    app.post('/elsewhere', async (request) => request.body)
    await app.register(tesseraFastify, { prefix: '/api/tessera', handler })
    const origin = await app.listen({ port: 0, host: '127.0.0.1' })
    return { url: `${origin}/api/tessera`, close: () => app.close() }
  },
})
