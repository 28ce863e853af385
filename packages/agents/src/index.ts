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
