import { canonicalJson, contentHash } from './content-hash'
import {
  findWorkflowVersion,
  hashesCollection,
  headsCollection,
  indexWorkflowVersion,
  listAll,
  readHeadRecord,
  readVersionRecord,
  versionKey,
  versionsCollection,
  type DefinitionHead,
  type DefinitionRecords,
  type DefinitionVersion,
} from './definition-records'
import { ConflictError } from '../errors/conflict-error'
import { NotFoundError } from '../errors/not-found-error'
import type { StoreV1 } from '../ports/store-v1'
import type { Engine } from '../runtime/engine'

export type {
  DefinitionHead,
  DefinitionVersion,
  DefinitionWorkflowVersion,
} from './definition-records'

/**
 * Stored definitions with their version history (collections `definitions`,
 * `definition-versions`, and `definition-workflow-versions`, which maps the engine's version
 * hashes to stored versions).
 *
 * @example
 * ```ts
 * const definitions: DefinitionRepository = createDefinitionRepository(engine.store, Date.now)
 * await definitions.update('order-review', changed, { expectVersion: 1 })
 * ```
 */
export interface DefinitionRepository {
  list(): Promise<DefinitionHead[]>
  /** The head of a definition; undefined when there is none (one read). */
  head(workflowId: string): Promise<DefinitionHead | undefined>
  get(
    workflowId: string,
  ): Promise<{ head: DefinitionHead; latest: DefinitionVersion; published?: DefinitionVersion }>
  create(
    definition: Record<string, unknown>,
    by?: string,
  ): Promise<{ head: DefinitionHead; version: DefinitionVersion }>
  update(
    workflowId: string,
    definition: Record<string, unknown>,
    options?: { expectVersion?: number; by?: string },
  ): Promise<{ head: DefinitionHead; version: DefinitionVersion; created: boolean }>
  versions(workflowId: string): Promise<DefinitionVersion[]>
  version(workflowId: string, version: number): Promise<DefinitionVersion>
  /**
   * Marks `version` published. With `workflowVersion` (the `Workflow.version` the definition
   * compiled to) it also records which stored version that hash comes from, so that other
   * processes can find the definition of a run pinned to it (`findWorkflowVersion`).
   */
  markPublished(
    workflowId: string,
    version: number,
    workflowVersion?: string,
  ): Promise<DefinitionHead>
  /**
   * Records that stored `version` compiles to `workflowVersion` (what `markPublished` does; also
   * for versions found by other means). Idempotent.
   */
  indexWorkflowVersion(workflowId: string, version: number, workflowVersion: string): Promise<void>
  /**
   * The stored version recorded for a workflow version hash, with its definition; undefined when
   * none is recorded (a version defined in code only, or published before hashes were recorded).
   * The caller must check that the definition still compiles to that hash.
   */
  findWorkflowVersion(
    workflowId: string,
    workflowVersion: string,
  ): Promise<DefinitionVersion | undefined>
  delete(workflowId: string): Promise<DefinitionHead>
}

const maxAttempts = 5

/**
 * Workflow definitions kept in a store's records. Writes go head first: the head record of a
 * workflow is updated by compare-and-set on its revision, which hands out version numbers one
 * at a time across processes; the version record is then inserted (`expectRevision: 0`). A
 * process that dies between the two leaves a head whose newest version has no history record;
 * reading it answers 404 for that version and the next update goes on from the number after.
 *
 * @example
 * ```ts
 * const definitions = createDefinitionRepository(engine.store, () => Date.now())
 * const { head } = await definitions.create(workflow.definition as Record<string, unknown>)
 * head.latestVersion // 1
 * ```
 */
export function createDefinitionRepository(
  store: StoreV1,
  now: () => number,
): DefinitionRepository {
  if (
    !store.capabilities.records ||
    !store.putRecord ||
    !store.getRecord ||
    !store.listRecords ||
    !store.deleteRecord
  ) {
    throw new ConflictError(
      `Store "${store.provider}" keeps no records (capabilities.records); the definition routes need them`,
    )
  }
  const records = store as StoreV1 & DefinitionRecords

  const readHead = async (workflowId: string) => {
    const record = await readHeadRecord(records, workflowId)
    if (!record) throw new NotFoundError({ kind: 'definition', id: workflowId })
    return record
  }
  const readVersion = async (workflowId: string, version: number) => {
    const record = await readVersionRecord(records, workflowId, version)
    if (!record) {
      throw new NotFoundError({ kind: 'definition-version', id: `${workflowId}@${version}` })
    }
    return record
  }
  /** Writes a head by compare-and-set on its revision (0: only if there is none). */
  const putHead = (head: DefinitionHead, expectRevision: number) =>
    records.putRecord({
      collection: headsCollection,
      key: head.workflowId,
      value: head,
      now: head.updatedAt,
      expectRevision,
    })
  const insertVersion = async (version: DefinitionVersion) => {
    const put = await records.putRecord({
      collection: versionsCollection,
      key: versionKey(version.workflowId, version.version),
      value: version,
      now: version.createdAt,
      expectRevision: 0,
    })
    if (put.status === 'conflict') {
      throw new ConflictError(
        `Version ${version.version} of definition "${version.workflowId}" exists already`,
      )
    }
  }
  const hashOf = (definition: Record<string, unknown>) => contentHash(canonicalJson(definition))

  return {
    list: () => listAll<DefinitionHead>(records, headsCollection),
    async head(workflowId) {
      return (await readHeadRecord(records, workflowId))?.value
    },
    async get(workflowId) {
      const head = (await readHead(workflowId)).value
      const latest = await readVersion(workflowId, head.latestVersion)
      const published =
        head.publishedVersion === undefined
          ? undefined
          : head.publishedVersion === head.latestVersion
            ? latest
            : await readVersion(workflowId, head.publishedVersion)
      return { head, latest, ...(published ? { published } : {}) }
    },
    async create(definition, by) {
      const workflowId = definition.id as string
      const at = now()
      const head: DefinitionHead = {
        workflowId,
        latestVersion: 1,
        contentHash: hashOf(definition),
        createdAt: at,
        updatedAt: at,
      }
      const put = await putHead(head, 0)
      if (put.status === 'conflict') {
        throw new ConflictError(
          `A definition with id "${workflowId}" exists already: update it with PUT /definitions/${workflowId}`,
        )
      }
      const version: DefinitionVersion = {
        workflowId,
        version: 1,
        contentHash: head.contentHash,
        definition,
        createdAt: at,
        ...(by !== undefined ? { createdBy: by } : {}),
      }
      await insertVersion(version)
      return { head, version }
    },
    async update(workflowId, definition, options = {}) {
      const hash = hashOf(definition)
      for (let attempt = 1; ; attempt++) {
        const current = await readHead(workflowId)
        const previous = current.value
        if (
          options.expectVersion !== undefined &&
          options.expectVersion !== previous.latestVersion
        ) {
          throw new ConflictError(
            `Definition "${workflowId}" is at version ${previous.latestVersion}, not ${options.expectVersion} as expected: reload it and apply the change again`,
          )
        }
        if (previous.contentHash === hash) {
          return {
            head: previous,
            version: await readVersion(workflowId, previous.latestVersion),
            created: false,
          }
        }
        const at = now()
        const head: DefinitionHead = {
          ...previous,
          latestVersion: previous.latestVersion + 1,
          contentHash: hash,
          updatedAt: at,
        }
        const put = await putHead(head, current.revision)
        if (put.status === 'conflict') {
          if (options.expectVersion !== undefined || attempt >= maxAttempts) {
            throw new ConflictError(
              `Definition "${workflowId}" was changed by another writer meanwhile: reload it and apply the change again`,
            )
          }
          continue
        }
        const version: DefinitionVersion = {
          workflowId,
          version: head.latestVersion,
          contentHash: hash,
          definition,
          createdAt: at,
          ...(options.by !== undefined ? { createdBy: options.by } : {}),
        }
        await insertVersion(version)
        return { head, version, created: true }
      }
    },
    async versions(workflowId) {
      await readHead(workflowId)
      return listAll<DefinitionVersion>(records, versionsCollection, `${workflowId}/`)
    },
    async version(workflowId, version) {
      return readVersion(workflowId, version)
    },
    indexWorkflowVersion: (workflowId, version, workflowVersion) =>
      indexWorkflowVersion(records, { workflowId, workflowVersion, version, at: now() }),
    findWorkflowVersion: (workflowId, workflowVersion) =>
      findWorkflowVersion(records, workflowId, workflowVersion),
    async markPublished(workflowId, version, workflowVersion) {
      // The hash first: a run can only start on it once the head says it is published (or the
      // caller registered it), and by then any process can find its definition.
      if (workflowVersion !== undefined)
        await indexWorkflowVersion(records, { workflowId, workflowVersion, version, at: now() })
      for (let attempt = 1; ; attempt++) {
        const current = await readHead(workflowId)
        if (version > current.value.latestVersion) {
          throw new NotFoundError({ kind: 'definition-version', id: `${workflowId}@${version}` })
        }
        const at = now()
        const { publishedWorkflowVersion: _previous, ...rest } = current.value
        const head: DefinitionHead = {
          ...rest,
          publishedVersion: version,
          ...(workflowVersion !== undefined ? { publishedWorkflowVersion: workflowVersion } : {}),
          updatedAt: at,
        }
        const put = await putHead(head, current.revision)
        if (put.status === 'written') return head
        if (attempt >= maxAttempts) {
          throw new ConflictError(
            `Definition "${workflowId}" kept changing while version ${version} was being published`,
          )
        }
      }
    },
    async delete(workflowId) {
      const current = await readHead(workflowId)
      const versions = await this.versions(workflowId)
      if (
        !(await records.deleteRecord({
          collection: headsCollection,
          key: workflowId,
          expectRevision: current.revision,
        }))
      ) {
        throw new ConflictError(
          `Definition "${workflowId}" was changed by another writer meanwhile: reload it and delete again`,
        )
      }
      for (const version of versions) {
        await records.deleteRecord({
          collection: versionsCollection,
          key: versionKey(workflowId, version.version),
        })
      }
      for (;;) {
        const page = await records.listRecords({
          collection: hashesCollection,
          prefix: `${workflowId}/`,
          limit: 1000,
        })
        for (const record of page)
          await records.deleteRecord({ collection: hashesCollection, key: record.key })
        if (page.length < 1000) break
      }
      return current.value
    },
  }
}

/** What {@link registerPublishedDefinitions} reports for each published definition. */
export interface PublishedDefinitionEntry {
  workflowId: string
  /** The stored version number that is published. */
  version: number
  /** The engine's version of it (`Workflow.version`), once registered. */
  workflowVersion?: string
}

/** Options of {@link registerPublishedDefinitions}. */
export interface RegisterPublishedOptions {
  /** Called for each definition registered. */
  onRegistered?: (entry: Required<PublishedDefinitionEntry>) => void
  /**
   * Called for a published definition the engine cannot register (it needs a step, connector,
   * agent, function or child workflow this process lacks), instead of throwing: the others are
   * still registered.
   */
  onError?: (error: unknown, entry: PublishedDefinitionEntry) => void
}

/**
 * Registers the published version of every stored definition with `engine`, as the latest
 * version of its workflow: what `tessera serve` and `tessera worker` do at start-up. (An engine
 * on a store that keeps records also finds stored versions lazily, when it meets a task, run or
 * start by id it has no version for; registering them up front makes them known at once, e.g.
 * to `preflight`.) Returns the ids registered. A definition the engine cannot register (a step it
 * lacks) throws `DefinitionError`, naming it, unless `onError` is given.
 *
 * @example
 * ```ts
 * const engine = createEngine({ store, plugins: [myPlugin] })
 * await registerPublishedDefinitions(engine) // ['order-review', …]
 * ```
 */
export async function registerPublishedDefinitions(
  engine: Pick<Engine, 'store' | 'registerDefinition'>,
  options: RegisterPublishedOptions = {},
): Promise<string[]> {
  const definitions = createDefinitionRepository(engine.store, () => Date.now())
  const registered: string[] = []
  for (const head of await definitions.list()) {
    if (head.publishedVersion === undefined) continue
    const entry = { workflowId: head.workflowId, version: head.publishedVersion }
    let workflowVersion: string
    try {
      const version = await definitions.version(head.workflowId, head.publishedVersion)
      workflowVersion = engine.registerDefinition(version.definition).version
    } catch (error) {
      if (!options.onError) throw error
      options.onError(error, entry)
      continue
    }
    registered.push(head.workflowId)
    options.onRegistered?.({ ...entry, workflowVersion })
  }
  return registered
}
