import { workflowFromDefinition } from '../../builder/workflow-from-definition'
import { generateCode } from '../../definition/codegen/generate-code'
import type { WorkflowDefinition } from '../../definition/schema'
import { validateDefinition } from '../../definition/validate-definition'
import { DefinitionError } from '../../errors/definition-error'
import { definitionSecretIssues } from '../definition-secret-issues'
import { HttpProblem } from '../problem'
import {
  codegenBody,
  codegenResponse,
  definitionBody,
  definitionListResponse,
  definitionResponse,
  definitionVersionSchema,
  definitionVersionsResponse,
  definitionWriteResponse,
  publishBody,
  updateDefinitionBody,
  validateResponse,
  versionParams,
  workflowIdParams,
} from '../http-schemas'
import type { DefinitionRepository } from '../../definition/definition-repository'
import { defineRoute, type RouteServices } from '../route'

const repository = (services: { definitions: DefinitionRepository | undefined }) =>
  services.definitions as DefinitionRepository
const hasRepository = (services: Omit<RouteServices, 'openapi'>) =>
  services.definitions !== undefined
const resource = ({ params }: { params: { workflowId: string } }) => ({
  type: 'definition',
  id: params.workflowId,
  workflowId: params.workflowId,
})

/** Validates against what the engine has; shape errors refuse the write (422), the rest is reported. */
function check(definition: Record<string, unknown>, services: RouteServices) {
  const result = validateDefinition(definition, {
    registry: services.engine.registry.describe(),
    definitions: services.engine.registry.definitions(),
  })
  const fatal = result.issues.filter(
    (issue) => issue.code === 'invalid_shape' || issue.code === 'unsupported_version',
  )
  if (fatal.length > 0) {
    throw new DefinitionError({
      workflowId: typeof definition.id === 'string' ? definition.id : undefined,
      issues: fatal.map(({ path, message }) => ({ path, message })),
    })
  }
  return result.issues
}
const by = (principal: { id: string; name?: string } | undefined) =>
  principal?.name ?? principal?.id

export const listDefinitions = defineRoute({
  id: 'definitions.list',
  method: 'GET',
  path: '/definitions',
  summary: 'Stored workflow definitions (their heads: latest and published version)',
  tag: 'definitions',
  responses: { 200: { description: 'Every stored definition', schema: definitionListResponse } },
  permission: 'definition:read',
  resource: () => ({ type: 'definition' }),
  enabled: hasRepository,
  async handle({ services }) {
    return { status: 200, body: { definitions: await repository(services).list() } }
  },
})

export const createDefinition = defineRoute({
  id: 'definitions.create',
  method: 'POST',
  path: '/definitions',
  summary: 'Store a new workflow definition (version 1)',
  tag: 'definitions',
  body: definitionBody,
  responses: {
    201: {
      description: 'Stored; `issues` lists what validation found',
      schema: definitionWriteResponse,
    },
  },
  errors: [409, 422],
  permission: 'definition:edit',
  resource: ({ body }) => ({
    type: 'definition',
    id: body.definition.id,
    workflowId: body.definition.id,
  }),
  audit: 'definition.create',
  enabled: hasRepository,
  auditChange: ({ body }) => ({ definition: body.definition }),
  async handle({ body, principal, services }) {
    const issues = check(body.definition, services)
    const { head, version } = await repository(services).create(body.definition, by(principal))
    const { definition: _definition, ...summary } = version
    return {
      status: 201,
      body: { definition: head, version: summary, issues },
      headers: {
        location: `${services.options.basePath ?? ''}/definitions/${encodeURIComponent(head.workflowId)}`,
      },
      audit: {
        change: {
          version: version.version,
          contentHash: version.contentHash,
          definition: body.definition,
        },
      },
    }
  },
})

export const getDefinition = defineRoute({
  id: 'definitions.get',
  method: 'GET',
  path: '/definitions/{workflowId}',
  summary: 'A stored definition: its head, latest version and published version',
  tag: 'definitions',
  params: workflowIdParams,
  responses: { 200: { description: 'The definition', schema: definitionResponse } },
  errors: [404],
  permission: 'definition:read',
  resource,
  enabled: hasRepository,
  async handle({ params, services }) {
    const { head, latest, published } = await repository(services).get(params.workflowId)
    return { status: 200, body: { definition: head, latest, ...(published ? { published } : {}) } }
  },
})

export const updateDefinition = defineRoute({
  id: 'definitions.update',
  method: 'PUT',
  path: '/definitions/{workflowId}',
  summary: 'Store a new version of a definition (unchanged content keeps the latest version)',
  tag: 'definitions',
  params: workflowIdParams,
  body: updateDefinitionBody,
  responses: {
    200: { description: 'The new (or unchanged latest) version', schema: definitionWriteResponse },
  },
  errors: [404, 409, 422],
  permission: 'definition:edit',
  resource,
  audit: 'definition.update',
  enabled: hasRepository,
  auditChange: ({ body }) => ({ definition: body.definition, expectVersion: body.expectVersion }),
  async handle({ params, body, principal, services }) {
    if (body.definition.id !== params.workflowId) {
      throw new HttpProblem(
        400,
        'invalid_argument',
        `The definition's id "${body.definition.id}" is not the workflow id of the path, "${params.workflowId}"`,
        [
          {
            path: 'body.definition.id',
            message: `must be "${params.workflowId}"`,
            expected: JSON.stringify(params.workflowId),
          },
        ],
      )
    }
    const issues = check(body.definition, services)
    const decider = by(principal)
    const { head, version, created } = await repository(services).update(
      params.workflowId,
      body.definition,
      {
        ...(body.expectVersion !== undefined ? { expectVersion: body.expectVersion } : {}),
        ...(decider !== undefined ? { by: decider } : {}),
      },
    )
    const { definition: _definition, ...summary } = version
    return {
      status: 200,
      body: { definition: head, version: summary, issues },
      audit: {
        change: {
          version: version.version,
          created,
          contentHash: version.contentHash,
          definition: body.definition,
        },
      },
    }
  },
})

export const listDefinitionVersions = defineRoute({
  id: 'definitions.versions',
  method: 'GET',
  path: '/definitions/{workflowId}/versions',
  summary: "A definition's version history, oldest first",
  tag: 'definitions',
  params: workflowIdParams,
  responses: {
    200: {
      description: 'The versions (without their definitions)',
      schema: definitionVersionsResponse,
    },
  },
  errors: [404],
  permission: 'definition:read',
  resource,
  enabled: hasRepository,
  async handle({ params, services }) {
    const versions = await repository(services).versions(params.workflowId)
    return {
      status: 200,
      body: { versions: versions.map(({ definition: _definition, ...summary }) => summary) },
    }
  },
})

export const getDefinitionVersion = defineRoute({
  id: 'definitions.version',
  method: 'GET',
  path: '/definitions/{workflowId}/versions/{version}',
  summary: 'One version of a definition',
  tag: 'definitions',
  params: versionParams,
  responses: {
    200: { description: 'The version with its definition', schema: definitionVersionSchema },
  },
  errors: [404],
  permission: 'definition:read',
  resource,
  enabled: hasRepository,
  async handle({ params, services }) {
    return {
      status: 200,
      body: await repository(services).version(params.workflowId, params.version),
    }
  },
})

export const publishDefinition = defineRoute({
  id: 'definitions.publish',
  method: 'POST',
  path: '/definitions/{workflowId}/publish',
  summary: 'Register a version with the engine so runs can start on it',
  tag: 'definitions',
  params: workflowIdParams,
  body: publishBody,
  responses: { 200: { description: 'Published', schema: definitionResponse } },
  errors: [404, 422],
  permission: 'definition:publish',
  resource,
  audit: 'definition.publish',
  enabled: hasRepository,
  async handle({ params, body, services }) {
    const definitions = repository(services)
    const { engine } = services
    const version = await definitions.version(params.workflowId, body.version)
    // Compiled first (a version this process cannot run is refused, 422), then recorded with the
    // engine's version hash, so that every process can find the definition of a run pinned to
    // it, and registered last: from then on this process starts it, others within their cache.
    const workflow = workflowFromDefinition(version.definition, { registry: engine.registry })
    const head = await definitions.markPublished(params.workflowId, body.version, workflow.version)
    engine.registerDefinition(version.definition)
    const { latest } = await definitions.get(params.workflowId)
    return {
      status: 200,
      body: { definition: head, latest, published: version },
      audit: { change: { version: body.version, workflowVersion: workflow.version } },
    }
  },
})

export const deleteDefinition = defineRoute({
  id: 'definitions.delete',
  method: 'DELETE',
  path: '/definitions/{workflowId}',
  summary: 'Delete a stored definition and its history (registered workflows stay registered)',
  tag: 'definitions',
  params: workflowIdParams,
  responses: {
    200: {
      description: 'Deleted; the head as it was',
      schema: definitionListResponse.shape.definitions.element,
    },
  },
  errors: [404, 409],
  permission: 'definition:edit',
  resource,
  audit: 'definition.delete',
  enabled: hasRepository,
  async handle({ params, services }) {
    const head = await repository(services).delete(params.workflowId)
    return { status: 200, body: head, audit: { change: { latestVersion: head.latestVersion } } }
  },
})

export const validateDefinitionRoute = defineRoute({
  id: 'definitions.validate',
  method: 'POST',
  path: '/definitions/validate',
  summary: 'Validate a definition against what the engine has registered',
  tag: 'definitions',
  body: definitionBody,
  responses: { 200: { description: 'Every issue found', schema: validateResponse } },
  permission: 'definition:read',
  resource: ({ body }) => ({
    type: 'definition',
    id: body.definition.id,
    workflowId: body.definition.id,
  }),
  async handle({ body, services }) {
    const result = validateDefinition(body.definition, {
      registry: services.engine.registry.describe(),
      definitions: services.engine.registry.definitions(),
    })
    // A definition that is otherwise valid: are the secrets its action nodes name there?
    const secrets = result.ok ? await definitionSecretIssues(services.engine, body.definition) : []
    return {
      status: 200,
      body: {
        valid: result.ok && secrets.length === 0,
        issues: [
          ...result.issues.map(({ path, code, severity, message }) => ({
            path,
            code,
            severity,
            message,
          })),
          ...secrets,
        ],
      },
    }
  },
})

export const codegen = defineRoute({
  id: 'codegen',
  method: 'POST',
  path: '/codegen',
  summary: 'TypeScript builder code for a definition',
  tag: 'definitions',
  body: codegenBody,
  responses: { 200: { description: 'The module source', schema: codegenResponse } },
  errors: [422],
  permission: 'definition:read',
  resource: ({ body }) => ({
    type: 'definition',
    id: body.definition.id,
    workflowId: body.definition.id,
  }),
  async handle({ body }) {
    const code = generateCode(body.definition as unknown as WorkflowDefinition, {
      ...(body.registryModule !== undefined ? { registryModule: body.registryModule } : {}),
      ...(body.exportName !== undefined ? { exportName: body.exportName } : {}),
    })
    return { status: 200, body: { code } }
  },
})

export const definitionRoutes = [
  listDefinitions,
  createDefinition,
  validateDefinitionRoute,
  getDefinition,
  updateDefinition,
  listDefinitionVersions,
  getDefinitionVersion,
  publishDefinition,
  deleteDefinition,
  codegen,
]
