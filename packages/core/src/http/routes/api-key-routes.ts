import { NotFoundError } from '../../errors/not-found-error'
import {
  apiKeyListResponse,
  createApiKeyBody,
  createApiKeyResponse,
  keyIdParams,
  revokeApiKeyResponse,
} from '../http-schemas'
import { defineRoute } from '../route'
import type { ApiKeys } from '../security/api-keys'

const keys = (services: { apiKeys: ApiKeys | undefined }) => services.apiKeys as ApiKeys
const enabled = (services: { apiKeys: ApiKeys | undefined }) => services.apiKeys !== undefined

export const listApiKeys = defineRoute({
  id: 'apiKeys.list',
  method: 'GET',
  path: '/api-keys',
  summary: 'API keys (never their tokens or hashes), revoked ones included',
  tag: 'api-keys',
  responses: { 200: { description: 'Every key', schema: apiKeyListResponse } },
  permission: 'apikey:manage',
  resource: () => ({ type: 'api-key' }),
  enabled,
  async handle({ services }) {
    return { status: 200, body: { keys: await keys(services).list() } }
  },
})

export const createApiKey = defineRoute({
  id: 'apiKeys.create',
  method: 'POST',
  path: '/api-keys',
  summary: 'Create an API key; its token is in this response only',
  tag: 'api-keys',
  body: createApiKeyBody,
  responses: { 201: { description: 'The key and its token', schema: createApiKeyResponse } },
  permission: 'apikey:manage',
  resource: () => ({ type: 'api-key' }),
  audit: 'api-key.create',
  enabled,
  async handle({ body, services }) {
    const created = await keys(services).create(body)
    return {
      status: 201,
      body: created,
      headers: { 'cache-control': 'no-store' },
      audit: { resource: { type: 'api-key', id: created.key.keyId }, change: created.key },
    }
  },
})

export const revokeApiKey = defineRoute({
  id: 'apiKeys.revoke',
  method: 'DELETE',
  path: '/api-keys/{keyId}',
  summary: 'Revoke an API key (kept, refused from now on)',
  tag: 'api-keys',
  params: keyIdParams,
  responses: { 200: { description: 'Revoked', schema: revokeApiKeyResponse } },
  errors: [404],
  permission: 'apikey:manage',
  async resource({ params, services }) {
    if (!(await keys(services).get(params.keyId)))
      throw new NotFoundError({ kind: 'api-key', id: params.keyId })
    return { type: 'api-key', id: params.keyId }
  },
  audit: 'api-key.revoke',
  enabled,
  async handle({ params, services }) {
    const key = await keys(services).revoke(params.keyId)
    return { status: 200, body: { keyId: key.keyId, revoked: key.revokedAt !== undefined } }
  },
})

export const apiKeyRoutes = [listApiKeys, createApiKey, revokeApiKey]
