// How stored workflow definitions lie in a store's records, and the reads every process needs.
// No runtime imports on purpose: the engine loads its lookup of stored versions
// (../runtime/stored-definitions) on first use, and what that chunk imports must not pull code
// out of the main entry's chunks (see scripts/check-packages.mjs).
import type { StoredRecord, StoreV1 } from '../ports/store-v1'

/**
 * The head of a stored workflow definition: one record per workflow id.
 *
 * @example
 * ```ts
 * const { head } = await definitions.get('order-review')
 * head.latestVersion // 3
 * ```
 */
export interface DefinitionHead {
  workflowId: string
  /** The number of the newest version (1, 2, …). */
  latestVersion: number
  /** Content hash of the newest version's definition. */
  contentHash: string
  /** The version that `publish` registered with the engine, if any. */
  publishedVersion?: number
  /**
   * The engine's version of the published definition (`Workflow.version`, the hash runs are
   * pinned to), as the publishing process computed it. Absent on heads published before it was
   * recorded.
   */
  publishedWorkflowVersion?: string
  createdAt: number
  updatedAt: number
}

/**
 * One version of a definition: insert-only.
 *
 * @example
 * ```ts
 * const version = await definitions.version('order-review', 2)
 * version.definition.id // 'order-review'
 * ```
 */
export interface DefinitionVersion {
  workflowId: string
  version: number
  /**
   * Hash of the stored JSON (`contentHash(canonicalJson(definition))`): it tells versions apart.
   * It is not the engine's version (`Workflow.version`), which leaves the definition's `version`
   * field out and covers the source of the inline functions the definition uses.
   */
  contentHash: string
  definition: Record<string, unknown>
  createdAt: number
  createdBy?: string
}

/**
 * Which stored version a workflow version (the engine's content hash, `Workflow.version`) was
 * published from: one record per published hash in the collection
 * `definition-workflow-versions`, keyed `<workflowId>/<workflowVersion>`.
 *
 * @example
 * ```ts
 * const found = await definitions.findWorkflowVersion('order-review', run.workflowVersion)
 * found?.version // 3
 * ```
 */
export interface DefinitionWorkflowVersion {
  workflowId: string
  /** The engine's version hash (`Workflow.version`, `RunRecord.workflowVersion`). */
  workflowVersion: string
  /** The stored version number it was compiled from. */
  version: number
  at: number
}

/** A store whose records operations are there (`capabilities.records`). */
export type DefinitionRecords = Required<
  Pick<StoreV1, 'putRecord' | 'getRecord' | 'listRecords' | 'deleteRecord'>
>

export const headsCollection = 'definitions'
export const versionsCollection = 'definition-versions'
export const hashesCollection = 'definition-workflow-versions'
export const versionKey = (workflowId: string, version: number) =>
  `${workflowId}/${String(version).padStart(12, '0')}`
const hashKey = (workflowId: string, workflowVersion: string) => `${workflowId}/${workflowVersion}`

/** The head record of a definition (with its revision), or undefined. */
export const readHeadRecord = (records: DefinitionRecords, workflowId: string) =>
  records.getRecord({ collection: headsCollection, key: workflowId }) as Promise<
    (StoredRecord & { value: DefinitionHead }) | undefined
  >

/** One stored version, or undefined. */
export const readVersionRecord = async (
  records: DefinitionRecords,
  workflowId: string,
  version: number,
) =>
  (
    await records.getRecord({
      collection: versionsCollection,
      key: versionKey(workflowId, version),
    })
  )?.value as DefinitionVersion | undefined

/** Every record of a collection under a key prefix (or all), in key order. */
export async function listAll<T>(
  records: DefinitionRecords,
  collection: string,
  prefix?: string,
): Promise<T[]> {
  const result: T[] = []
  let after: string | undefined
  for (;;) {
    const page = await records.listRecords({
      collection,
      limit: 1000,
      ...(prefix !== undefined ? { prefix } : {}),
      ...(after !== undefined ? { after } : {}),
    })
    for (const record of page) result.push(record.value as T)
    if (page.length < 1000) return result
    after = page[page.length - 1]!.key
  }
}

/** Records that stored `version` compiles to `workflowVersion` (idempotent). */
export async function indexWorkflowVersion(
  records: DefinitionRecords,
  entry: DefinitionWorkflowVersion,
): Promise<void> {
  await records.putRecord({
    collection: hashesCollection,
    key: hashKey(entry.workflowId, entry.workflowVersion),
    value: entry,
    now: entry.at,
  })
}

/** The stored version recorded for a workflow version hash, or undefined. */
export async function findWorkflowVersion(
  records: DefinitionRecords,
  workflowId: string,
  workflowVersion: string,
): Promise<DefinitionVersion | undefined> {
  const entry = await records.getRecord({
    collection: hashesCollection,
    key: hashKey(workflowId, workflowVersion),
  })
  return entry
    ? readVersionRecord(records, workflowId, (entry.value as DefinitionWorkflowVersion).version)
    : undefined
}
