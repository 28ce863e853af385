// @tessera/connectors/vault: a secrets provider over HashiCorp Vault's KV v2 HTTP API (fetch only).
export { vaultSecrets, type VaultSecretsOptions, type VaultSecretsProvider } from './vault-secrets'
