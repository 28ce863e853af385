import { canonicalJson, contentHash } from '../definition/content-hash'
import { ConflictError } from '../errors/conflict-error'
import { NotFoundError } from '../errors/not-found-error'
import type { StoredRecord, StoreV1 } from '../ports/store-v1'
import type { Engine } from '../runtime/engine'

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
  contentHash: string
  definition: Record<string, unknown>
  createdAt: number
  createdBy?: string
}

/**
 * Stored definitions with their version history (collections `definitions`, `definition-versions`).
 *
 * @example
 * ```ts
 * const definitions: DefinitionRepository = createDefinitionRepository(engine.store, Date.now)
 * await definitions.update('order-review', changed, { expectVersion: 1 })
 * ```
 */
export interface DefinitionRepository {
  list(): Promise<DefinitionHead[]>
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
  /** Marks `version` published (after the caller registered it). */
  markPublished(workflowId: string, version: number): Promise<DefinitionHead>
  delete(workflowId: string): Promise<DefinitionHead>
}

const heads = 'definitions'
const versionsCollection = 'definition-versions'
const versionKey = (workflowId: string, version: number) =>
  `${workflowId}/${String(version).padStart(12, '0')}`
const maxAttempts = 5

type RecordsStore = Required<
  Pick<StoreV1, 'putRecord' | 'getRecord' | 'listRecords' | 'deleteRecord'>
>

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
  const records = store as StoreV1 & RecordsStore

  const readHead = async (workflowId: string) => {
    const record = await records.getRecord({ collection: heads, key: workflowId })
    if (!record) throw new NotFoundError({ kind: 'definition', id: workflowId })
    return record as StoredRecord & { value: DefinitionHead }
  }
  const readVersion = async (workflowId: string, version: number) => {
    const record = await records.getRecord({
      collection: versionsCollection,
      key: versionKey(workflowId, version),
    })
    if (!record) {
      throw new NotFoundError({ kind: 'definition-version', id: `${workflowId}@${version}` })
    }
    return record.value as DefinitionVersion
  }
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
    async list() {
      const result: DefinitionHead[] = []
      let after: string | undefined
      for (;;) {
        const page = await records.listRecords({
          collection: heads,
          limit: 1000,
          ...(after !== undefined ? { after } : {}),
        })
        for (const record of page) result.push(record.value as DefinitionHead)
        if (page.length < 1000) return result
        after = page[page.length - 1]!.key
      }
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
      const put = await records.putRecord({
        collection: heads,
        key: workflowId,
        value: head,
        now: at,
        expectRevision: 0,
      })
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
        const put = await records.putRecord({
          collection: heads,
          key: workflowId,
          value: head,
          now: at,
          expectRevision: current.revision,
        })
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
      const result: DefinitionVersion[] = []
      let after: string | undefined
      for (;;) {
        const page = await records.listRecords({
          collection: versionsCollection,
          prefix: `${workflowId}/`,
          limit: 1000,
          ...(after !== undefined ? { after } : {}),
        })
        for (const record of page) result.push(record.value as DefinitionVersion)
        if (page.length < 1000) return result
        after = page[page.length - 1]!.key
      }
    },
    async version(workflowId, version) {
      return readVersion(workflowId, version)
    },
    async markPublished(workflowId, version) {
      for (let attempt = 1; ; attempt++) {
        const current = await readHead(workflowId)
        if (version > current.value.latestVersion) {
          throw new NotFoundError({ kind: 'definition-version', id: `${workflowId}@${version}` })
        }
        const at = now()
        const head: DefinitionHead = { ...current.value, publishedVersion: version, updatedAt: at }
        const put = await records.putRecord({
          collection: heads,
          key: workflowId,
          value: head,
          now: at,
          expectRevision: current.revision,
        })
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
          collection: heads,
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
      return current.value
    },
  }
}

/**
 * Registers the published version of every stored definition with `engine`: what a process
 * does at start-up, since `POST /definitions/{id}/publish` registers a version only with the
 * engine of the process that served it. Returns the ids registered. A definition the engine
 * cannot register (a step it lacks) throws `DefinitionError`, naming it.
 *
 * @example
 * ```ts
 * const engine = createEngine({ store, plugins: [myPlugin] })
 * await registerPublishedDefinitions(engine) // ['order-review', …]
 * ```
 */
export async function registerPublishedDefinitions(
  engine: Pick<Engine, 'store' | 'registerDefinition'>,
): Promise<string[]> {
  const definitions = createDefinitionRepository(engine.store, () => Date.now())
  const registered: string[] = []
  for (const head of await definitions.list()) {
    if (head.publishedVersion === undefined) continue
    const version = await definitions.version(head.workflowId, head.publishedVersion)
    engine.registerDefinition(version.definition)
    registered.push(head.workflowId)
  }
  return registered
}
