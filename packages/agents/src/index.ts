// @tessera/agents: the curated public API. No logic here.

// Testing language-model code
export {
  createScriptedModel,
  type ScriptedModel,
  type ScriptedModelSettings,
  type ScriptedReply,
} from './scripted-model/create-scripted-model'
export { ScriptExhaustedError } from './scripted-model/script-exhausted-error'

// Personal data
export { redactPii, type RedactPiiOptions, type RedactPiiResult } from './pii/redact-pii'
export {
  detectPii,
  piiTypes,
  type PiiType,
  type PiiFinding,
  type DetectPiiOptions,
} from './pii/detect-pii'
export { passesLuhnCheck } from './pii/luhn-check'
export { passesIbanChecksum } from './pii/iban-checksum'

// Reliability: retries, rate limits, timeouts, fallback chains
export {
  withRetry,
  isRetryableModelError,
  type ModelRetryOptions,
  type ModelRetryEvent,
} from './reliability/with-retry'
export {
  createRateLimiter,
  isRateLimiter,
  type RateLimiter,
  type RateLimiterSettings,
} from './reliability/create-rate-limiter'
export { withRateLimit } from './reliability/with-rate-limit'
export { providerLimits, type ProviderLimits } from './reliability/provider-limits'
export { withTimeout, type ModelTimeoutOptions } from './reliability/with-timeout'
export {
  fallback,
  isFallbackWorthy,
  type FallbackOptions,
  type FallbackEvent,
} from './reliability/fallback'
export { reliable, type ReliableOptions } from './reliability/reliable'
export { abortableSleep, type Sleep } from './reliability/abortable-sleep'

// Response cache
export {
  createResponseCache,
  type ResponseCache,
  type ResponseCacheSettings,
  type ResponseCacheStore,
  type ResponseCacheRule,
  type CachedResponse,
} from './cache/create-response-cache'
export { createLruStore } from './cache/create-lru-store'
export { withCache } from './cache/with-cache'
export { responseCacheKey } from './cache/response-cache-key'
export { canonicalJson } from './cache/canonical-json'

// Models by name (workflow definitions name models by string)
export { createModelRegistry, type ModelRegistry } from './registry/create-model-registry'
export type { ModelRegistrySettings } from './registry/model-registry-settings'
export type { ModelProvider } from './registry/model-provider'

// Pricing and cost
export {
  createPriceTable,
  defaultPriceTable,
  type PriceTable,
  type PriceOverrides,
} from './pricing/create-price-table'
export type { ModelPrice, TokenPrices } from './pricing/model-price'
export { costOf } from './pricing/cost-of'
export { withCost } from './pricing/with-cost'
export { estimatePromptTokens } from './pricing/estimate-prompt-tokens'
export { checkPromptFits } from './pricing/check-prompt-fits'
export { withContextCheck } from './pricing/with-context-check'

// Agents
export {
  defineAgent,
  type Agent,
  type AgentGenerateOptions,
  type AgentResult,
} from './agent/define-agent'
export type { AgentSettings, AgentMemorySettings } from './agent/agent-settings'
export { agentStep, type AgentStepOptions } from './agent/agent-step'
export type { AgentStream } from './agent/agent-stream'
export type {
  AgentEvent,
  AgentEventType,
  AgentEventBase,
  ModelCallPurpose,
  ModelCallStartEvent,
  TextDeltaEvent,
  ModelCallEndEvent,
  ToolCallEvent,
  ToolApprovalRequestEvent,
  ToolApprovalEndEvent,
  ToolResultEvent,
  HandoffStartEvent,
  AgentEndEvent,
} from './agent/agent-event'
export type { AgentStepRecord } from './runtime/run-agent-loop'
export type { AgentToolChoice, ToolChoiceContext } from './runtime/agent-definition'
export type {
  ToolApprovalRequest,
  ApproveFunction,
  DurableStepContext,
} from './runtime/agent-execution'
export { MaxStepsExceededError } from './agent/max-steps-exceeded-error'
export { ToolApprovalRequiredError } from './agent/tool-approval-required-error'

// Tools
export {
  tool,
  isTool,
  type Tool,
  type ToolSettings,
  type ToolContext,
  type ToolErrorMode,
  type ToolSet,
} from './tools/tool'
export { connectorTool, type ConnectorToolSettings } from './tools/connector-tool'
export { connectorTools, toolNameOf, type ConnectorToolsSettings } from './tools/connector-tools'
export { agentAsTool, type AgentAsToolOptions } from './multi-agent/agent-as-tool'
export { handoff, type HandoffOptions } from './multi-agent/handoff'

// Agent memory
export { isAgentMemory, type AgentMemory } from './memory/agent-memory'
export { createStoreMemory } from './memory/create-store-memory'
export { estimateTokens } from './memory/estimate-tokens'

// Pre-built agents
export {
  createExtractorAgent,
  type ExtractorAgentSettings,
} from './prebuilt/extractor/create-extractor-agent'
export {
  createSummarizerAgent,
  type SummarizerAgentSettings,
  type Summary,
} from './prebuilt/summarizer/create-summarizer-agent'
export { splitIntoChunks } from './prebuilt/summarizer/split-into-chunks'
export {
  createTransformerAgent,
  type TransformerAgentSettings,
  type FieldMapping,
} from './prebuilt/transformer/create-transformer-agent'
export {
  createClassifierAgent,
  type ClassifierAgentSettings,
  type ClassifierOutput,
  type Classification,
  type MultiLabelClassification,
} from './prebuilt/classifier/create-classifier-agent'
export type { LabelOption, LabelListSetting } from './prebuilt/label-list'
export {
  createRouterAgent,
  type RouterAgentSettings,
  type RouteOption,
  type RouteDecision,
} from './prebuilt/router/create-router-agent'
export { routeTo, type RouteToOptions } from './prebuilt/router/route-to'
export {
  createDecisionAgent,
  type DecisionAgentSettings,
  type DecisionOutcome,
  type DecisionEscalation,
  type DecisionReview,
  type DecidedBy,
} from './prebuilt/decision/create-decision-agent'
export type { DecisionRule } from './prebuilt/decision/decision-rule'
export { DecisionRuleError } from './prebuilt/decision/decision-rule-error'
export {
  createMessageDrafterAgent,
  type MessageDrafterAgentSettings,
  type MessageDraftRequest,
  type MessageDraft,
  type MessageChannel,
  type MessageTone,
  type MessageTemplate,
} from './prebuilt/message-drafter/create-message-drafter-agent'
export {
  fillTemplate,
  placeholdersOf,
  type TemplateValue,
  type FilledTemplate,
} from './prebuilt/message-drafter/fill-template'
export { MissingPlaceholderError } from './prebuilt/message-drafter/missing-placeholder-error'
export { toSlackMrkdwn } from './prebuilt/message-drafter/to-slack-mrkdwn'
export {
  createPiiRedactorAgent,
  type PiiRedactorAgentSettings,
  type Redaction,
  type RedactionFinding,
  type RedactionMask,
  type ContextualPiiType,
} from './prebuilt/pii-redactor/create-pii-redactor-agent'
