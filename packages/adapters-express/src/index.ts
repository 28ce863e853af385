// @tessera/express: serve a Fetch handler from Express. Translation only, no logic of its own.
export {
  createExpressMiddleware,
  type ExpressMiddleware,
  type ExpressMiddlewareOptions,
  type FetchHandler,
} from './create-express-middleware'
export { toFetchRequest, type NodeRequest, type ToFetchRequestOptions } from './to-fetch-request'
export { sendFetchResponse } from './send-fetch-response'
