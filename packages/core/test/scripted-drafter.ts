import type { LanguageModelV1, ModelRequest, ModelResponse } from '../src/index'

/**
 * A model for `draftWorkflow` tests: answers each call with the next text of the script
 * (10 input and 5 output tokens each), records the requests, and honours an aborted signal.
 */
export function scriptedDrafter(answers: string[], structuredOutput = true) {
  const requests: ModelRequest[] = []
  const model: LanguageModelV1 = {
    specificationVersion: 'v1',
    provider: 'scripted',
    modelId: 'drafter',
    capabilities: { tools: false, structuredOutput, streaming: false },
    async generate(request) {
      requests.push(request)
      request.signal?.throwIfAborted()
      const text = answers[requests.length - 1]
      if (text === undefined) throw new Error(`the script has no answer ${requests.length}`)
      const response: ModelResponse = {
        content: [{ type: 'text', text }],
        finishReason: 'stop',
        usage: { inputTokens: 10, outputTokens: 5 },
        modelId: 'drafter',
      }
      return response
    },
    stream() {
      throw new Error('not scripted')
    },
  }
  return { model, requests }
}
