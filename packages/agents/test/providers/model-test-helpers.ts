import type { LanguageModelV1, ModelRequest, ModelStreamPart } from '@tessera/core'
import { describeLanguageModelConformance, type ModelWireServer } from '@tessera/core/testing'

/**
 * Runs the language-model conformance suite against a model served by a vendor wire server,
 * and closes the server when the suite ends.
 *
 * @example
 * ```ts
 * describeWireConformance('openai (settings)', await createOpenAIWireServer(), (server) =>
 *   createOpenAI({ apiKey: 'sk-test', baseURL: server.url })('gpt-4o-mini'),
 * )
 * ```
 */
export function describeWireConformance<TServer extends ModelWireServer>(
  name: string,
  server: TServer,
  createModel: (server: TServer) => LanguageModelV1,
): void {
  describeLanguageModelConformance({
    name,
    server,
    createModel: () => createModel(server),
    cleanup: () => server.close(),
  })
}

/**
 * A request with one user message.
 *
 * @example
 * ```ts
 * await model.generate(ask('Weather in Paris?', { tools: [weatherTool] }))
 * ```
 */
export const ask = (content: string, extra: Partial<ModelRequest> = {}): ModelRequest => ({
  messages: [{ role: 'user', content }],
  ...extra,
})

/**
 * What `call` throws or rejects with; fails the test when it succeeds.
 *
 * @example
 * ```ts
 * const error = await errorOf(() => model.generate(ask('Hello')))
 * expect(ModelCallError.isInstance(error)).toBe(true)
 * ```
 */
export async function errorOf(call: () => unknown): Promise<any> {
  try {
    await call()
  } catch (error) {
    return error
  }
  throw new Error('Expected the call to fail, but it succeeded')
}

/**
 * Every part of a model's stream, in order.
 *
 * @example
 * ```ts
 * const parts = await readAll(model.stream(ask('Hello')))
 * ```
 */
export async function readAll(stream: AsyncIterable<ModelStreamPart>): Promise<ModelStreamPart[]> {
  const parts: ModelStreamPart[] = []
  for await (const part of stream) parts.push(part)
  return parts
}
