// @tessera/fastify: serve a Fetch handler from Fastify. Translation only, no logic of its own.
export { tesseraFastify, type TesseraFastifyOptions, type FetchHandler } from './tessera-fastify'
export { toFetchRequest } from './to-fetch-request'
export { sendFetchResponse } from './send-fetch-response'
