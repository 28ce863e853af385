// @tessera/core/node: pieces that need Node.js APIs. Nothing in the main entry imports this.
export { closeOnSignals, type CloseOnSignalsOptions } from './close-on-signals'
export { defineConfig, type TesseraConfig, type TesseraConfigContext } from './define-config'
export {
  toAbortableRequest,
  toFetchRequest,
  type FetchRequestWithAbort,
  type NodeFetchRequestOptions,
  type ToAbortableRequestOptions,
  type ToFetchRequestOptions,
} from './fetch-request'
export { writeFetchResponse } from './write-fetch-response'
export { toRawRequest, type NodeRawRequest, type ToRawRequestOptions } from './raw-request'
export { writeRawReply } from './write-raw-reply'
export { readResponseBody, type ResponseBody, type ResponseBodyReader } from './response-body'
export {
  encryptedFileSecrets,
  writeEncryptedSecrets,
  listEncryptedSecrets,
  generateSecretsKey,
  secretsKeyVariable,
  type EncryptedFileSecretsOptions,
} from './encrypted-file-secrets'
export { SecretsError, type SecretsFailureReason } from '../errors/secrets-error'
