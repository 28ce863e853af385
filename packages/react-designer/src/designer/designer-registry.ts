/**
 * A JSON Schema object, as the registry describes inputs, outputs and configs.
 *
 * @example
 * ```ts
 * const input: JsonSchemaObject = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] }
 * ```
 */
export type JsonSchemaObject = Record<string, unknown>

/**
 * What the designer needs of a registry: the JSON description an engine's registry gives with
 * `registry.describe()` (`RegistryDescription` in `@tessera/core`). Declared here by shape, so
 * the designer stays on core's browser-safe subpath; a `RegistryDescription` fits it as is.
 *
 * @example
 * ```ts
 * const registry: DesignerRegistry = engine.registry.describe() // sent by the host's backend
 * ```
 */
export interface DesignerRegistry {
  steps: { id: string; description?: string; input: JsonSchemaObject; output: JsonSchemaObject }[]
  workflows: {
    id: string
    version: string
    description?: string
    input: JsonSchemaObject
    output?: JsonSchemaObject
  }[]
  agents?: { id: string; description?: string; input: JsonSchemaObject; output: JsonSchemaObject }[]
  connectors?: {
    id: string
    name: string
    description?: string
    config: JsonSchemaObject
    actions: {
      name: string
      description?: string
      input: JsonSchemaObject
      output: JsonSchemaObject
    }[]
  }[]
  functions: string[]
}

/** An empty registry: control nodes only. */
export const emptyRegistry: DesignerRegistry = { steps: [], workflows: [], functions: [] }
