export { envSecrets, type EnvSecretsOptions } from './env-secrets'
export { mapSecrets } from './map-secrets'
