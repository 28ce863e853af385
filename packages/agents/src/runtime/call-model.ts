import {
  ModelCallError,
  type LanguageModelV1,
  type ModelRequest,
  type ModelResponse,
} from '@tessera/core'
import type { ModelCallPurpose } from '../agent/agent-event'
import { costOf } from '../pricing/cost-of'
import type { PriceTable } from '../pricing/create-price-table'
import type { AgentEmit } from './agent-emitter'
import type { AgentExecution } from './agent-execution'

/** What a durable model call records: the answer and how long it took. */
interface RecordedModelCall {
  response: ModelResponse
  durationMs: number
}

/** One model call of an agent's loop. */
export interface ModelCall {
  model: LanguageModelV1
  request: Omit<ModelRequest, 'signal'>
  execution: AgentExecution
  emit: AgentEmit
  agentId: string
  path: readonly string[]
  /** Numbers the agent's calls; also names the durable unit (`model:<n>`, or `<name>`). */
  callNumber: number
  /** The durable unit's name. Default `model:<callNumber>`. */
  unitName?: string
  purpose: ModelCallPurpose
  /** Use the model's stream and emit `text-delta` events. */
  streaming: boolean
  /** Prices a call whose response carries no cost. Default: the default price table. */
  priceTable?: PriceTable
}

/**
 * Calls the model once as a durable unit: inside a workflow the answer is recorded, and when the
 * step runs again (retry, crash recovery, resume after an approval) the recorded answer is
 * returned without calling, or paying for, the model again. Emits `model-call-start`, the
 * `text-delta`s when streaming, and `model-call-end`.
 *
 * @example
 * ```ts
 * const response = await callModel({ model, request, execution, emit, agentId, path, callNumber: 1, purpose: 'step', streaming: false })
 * ```
 */
export async function callModel(call: ModelCall): Promise<ModelResponse> {
  const { model, execution, emit, agentId, path, callNumber, purpose } = call
  const base = { agentId, path }
  emit({
    type: 'model-call-start',
    ...base,
    callNumber,
    purpose,
    provider: model.provider,
    modelId: model.modelId,
    messageCount: call.request.messages.length,
  })
  let ran = false
  const recorded = await execution.durable<RecordedModelCall>(
    call.unitName ?? `model:${callNumber}`,
    async () => {
      ran = true
      const startedAt = execution.clock.now()
      const request: ModelRequest = { ...call.request, signal: execution.signal }
      const response = call.streaming
        ? await streamModel(model, request, (delta) =>
            emit({ type: 'text-delta', ...base, callNumber, delta }),
          )
        : await model.generate(request)
      return { response, durationMs: Math.max(0, execution.clock.now() - startedAt) }
    },
  )
  const response = recorded.response
  const provider = response.provider ?? model.provider
  const modelId = response.modelId ?? model.modelId
  if (response.costUsd === undefined) {
    const costUsd = priceOf(provider, modelId, response, call.priceTable)
    if (costUsd !== undefined) response.costUsd = costUsd
  }
  emit({
    type: 'model-call-end',
    ...base,
    callNumber,
    purpose,
    provider,
    modelId,
    finishReason: response.finishReason,
    usage: response.usage,
    costUsd: response.costUsd,
    durationMs: recorded.durationMs,
    fallbacks: response.fallbacks,
    cached: response.cached === true,
    replayed: !ran,
  })
  return response
}

/** The cost from the price table; undefined for unknown models or usage it cannot price. */
function priceOf(
  provider: string,
  modelId: string,
  response: ModelResponse,
  table: PriceTable | undefined,
): number | undefined {
  try {
    return costOf({ provider, modelId, usage: response.usage }, table)
  } catch {
    return undefined
  }
}

async function streamModel(
  model: LanguageModelV1,
  request: ModelRequest,
  onDelta: (delta: string) => void,
): Promise<ModelResponse> {
  let finish: ModelResponse | undefined
  for await (const part of model.stream(request)) {
    if (part.type === 'text-delta') onDelta(part.delta)
    else if (part.type === 'finish') finish = part.response
  }
  if (finish === undefined) {
    throw new ModelCallError({
      provider: model.provider,
      modelId: model.modelId,
      failure: 'malformed-response',
      message: 'the stream ended without a finish part',
    })
  }
  return finish
}
