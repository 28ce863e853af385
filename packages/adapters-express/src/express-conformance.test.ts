import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { describeHttpConformance, type HttpConformanceHandler } from '@tessera/core/testing'
import { createExpressMiddleware } from './create-express-middleware'

// Express 4 through the npm alias `express4` (a dev dependency): the same middleware, both majors.
const express4 = ((await import('express4' as string)) as { default: typeof express }).default

async function serveWith(
  createApp: typeof express,
  handler: HttpConformanceHandler,
): Promise<{ url: string; close: () => Promise<void> }> {
  const app = createApp()
  // A body parser in front of the mount, as many apps have: the adapter must pass bodies on.
  app.use('/elsewhere', createApp.json())
  app.use(createExpressMiddleware(handler, { basePath: '/api/tessera' }))
  const server: Server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/api/tessera`,
    close: async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

describeHttpConformance({
  name: 'Express 5',
  basePath: '/api/tessera',
  serve: (handler) => serveWith(express, handler),
})
describeHttpConformance({
  name: 'Express 4',
  basePath: '/api/tessera',
  serve: (handler) => serveWith(express4, handler),
})
