// @tessera/connectors/triggers: cron, poll and webhook triggers (TriggerV1 from @tessera/core).
export {
  cronTrigger,
  type CronTrigger,
  type CronTriggerOptions,
  type CronTick,
} from './cron-trigger'
export {
  pollTrigger,
  type PollTrigger,
  type PollTriggerOptions,
  type PollResult,
} from './poll-trigger'
export { webhookTrigger, type WebhookTrigger, type WebhookTriggerOptions } from './webhook-trigger'
export { triggerStateCollection } from './trigger-state'
