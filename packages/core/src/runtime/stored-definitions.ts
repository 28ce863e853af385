// Loaded on first use (see createEngine): an engine that never meets a version it lacks, and never
// starts a workflow by id, never loads it. It imports no runtime code but ../definition/
// definition-records (which imports none): what the engine's main chunks hold (compiling a
// definition, …) comes through the host, so that this chunk does not split them (the size budget
// of scripts/check-packages.mjs counts every chunk the main entry imports).
import type { Workflow } from '../builder/workflow'
import {
  findWorkflowVersion,
  indexWorkflowVersion,
  listAll,
  readHeadRecord,
  readVersionRecord,
  versionsCollection,
  type DefinitionRecords,
  type DefinitionVersion,
} from '../definition/definition-records'
import type { Duration } from './duration'
import type { EngineCore } from './engine-core'
import type { ExecutionPlan } from './plan'

/**
 * `createEngine({ storedDefinitions })`: how long what the store said is trusted.
 *
 * @example
 * ```ts
 * createEngine({ store, storedDefinitions: { publishedCache: '5s', missCache: '1m' } })
 * ```
 */
export interface StoredDefinitionsOptions {
  /**
   * How long `start(workflowId)` keeps using the published version it read (or that none is
   * published) before it reads the definition's head again. Default 1s: a publish in another
   * process reaches this one within that; a publish in this process at once.
   */
  publishedCache?: Duration
  /**
   * How long a workflow version that no stored definition provides (a version defined in code
   * only, one whose definition does not compile here, or a forged hash) is not looked up again.
   * Default 10s.
   */
  missCache?: Duration
}

/** The engine's side of stored definitions (one per engine). */
export interface StoredDefinitions {
  /**
   * What `start(workflowId)` uses, while the cache is fresh: the published workflow, or `null`
   * when none is published (the registry decides); `undefined` when the head must be read
   * (`published`). Throws what reading it last threw (a published definition that does not
   * compile here), for as long as the cache keeps it.
   */
  current(workflowId: string): Workflow | null | undefined
  /** Reads the head (one read per workflow id at a time), caches and returns the published workflow. */
  published(workflowId: string): Promise<Workflow | null>
  /**
   * The plan of a version this engine lacks, from the stored definition that compiles to exactly
   * that version; undefined when none does (cached for `missCache`). Concurrent calls for one
   * version share one lookup. Never rejects: problems are logged.
   */
  plan(task: { workflowId: string; workflowVersion: string }): Promise<ExecutionPlan | undefined>
  /** Drops what the cache holds for a workflow id (it was just published in this process). */
  forget(workflowId: string): void
}

type Host = Pick<
  EngineCore,
  'store' | 'registry' | 'clock' | 'logger' | 'planFor' | 'planForTask'
> & {
  /** `workflowFromDefinition(definition, { registry })`. */
  compile(definition: unknown): Workflow
}

interface Cached {
  until: number
  workflow: Workflow | null
  error?: unknown
}

const cacheLimit = 1000
const nested = 4

/**
 * Workflow versions from the definitions kept in the store's records (what
 * `POST /definitions/{id}/publish` stores): the engine asks here when a task, retry or approval
 * refers to a version it has not registered, and when a workflow is started by id. A definition
 * is only used for a version if it compiles, in this process, to exactly that version's hash:
 * the hash covers the definition and the source of the inline functions it uses, so a stored
 * definition that would run different code is refused.
 *
 * @example
 * ```ts
 * const stored = createStoredDefinitions({ ...core, compile }, 1000, 10_000)
 * const plan = await stored.plan(task) // undefined: left for another worker
 * ```
 */
export function createStoredDefinitions(
  host: Host,
  publishedTtl: number,
  missTtl: number,
): StoredDefinitions {
  const { registry, clock, logger } = host
  const records = host.store as unknown as DefinitionRecords
  const message = (error: unknown) => (error instanceof Error ? error.message : String(error))
  const code = (error: unknown) => (error as { code?: unknown } | undefined)?.code

  const cache = new Map<string, Cached>()
  const generations = new Map<string, number>()
  const reading = new Map<string, Promise<Workflow | null>>()
  const lookups = new Map<string, Promise<ExecutionPlan | undefined>>()
  const missed = new Map<string, number>()
  // The version a stored definition compiled to here, by its content hash: a version looked up
  // again (after missCache) among the same stored versions is not compiled again.
  const compiledVersions = new Map<string, string>()

  const remember = <V>(map: Map<string, V>, key: string, value: V) => {
    map.delete(key)
    if (map.size >= cacheLimit) map.delete(map.keys().next().value!)
    map.set(key, value)
  }

  /** Child workflows a definition names that this engine lacks: looked up first. */
  const resolveChildren = async (definition: Record<string, unknown>, depth: number) => {
    if (depth >= nested) return
    const children: { id: string; version: unknown }[] = []
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk)
      else if (typeof value === 'object' && value !== null) {
        const node = value as Record<string, unknown>
        if (node.type === 'workflow' && typeof node.workflow === 'string')
          children.push({ id: node.workflow, version: node.version })
        Object.values(node).forEach(walk)
      }
    }
    walk(definition.root)
    for (const { id, version } of children) {
      if (typeof version !== 'string') {
        if (!registry.workflows.has(id)) await published(id).catch(() => null)
      } else if (!registry.workflowVersion(id, version)) {
        const child = await find(id, version, depth + 1)
        if (child) host.planFor(child, false)
      }
    }
  }

  /** Compiles a stored version; the error when it does not compile in this process. */
  const compile = async (stored: DefinitionVersion, depth: number) => {
    await resolveChildren(stored.definition, depth)
    try {
      const workflow = host.compile(stored.definition)
      remember(compiledVersions, `${stored.workflowId}/${stored.contentHash}`, workflow.version)
      return workflow
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error))
    }
  }
  const notCompiled = (workflowId: string, workflowVersion: string, problems: string[]) =>
    logger.warn(
      `No stored definition of "${workflowId}" gives workflow version ${workflowVersion} in this process: ${problems.join('; ')}. Its tasks are left for a worker that has what they need`,
      { workflowId, workflowVersion },
    )

  /** The stored definition of `workflowId` that compiles to exactly `workflowVersion`. */
  const find = async (
    workflowId: string,
    workflowVersion: string,
    depth: number,
  ): Promise<Workflow | undefined> => {
    const indexed = await findWorkflowVersion(records, workflowId, workflowVersion)
    if (indexed) {
      const workflow = await compile(indexed, depth)
      if (workflow instanceof Error) {
        logger.warn(
          `Stored definition "${workflowId}" version ${indexed.version} (workflow version ${workflowVersion}) does not compile in this process: ${workflow.message}. Its tasks are left for a worker that has what it needs`,
          { workflowId, version: indexed.version, workflowVersion },
        )
        return undefined
      }
      if (workflow.version === workflowVersion) return workflow
      logger.warn(
        `Refused stored definition "${workflowId}" version ${indexed.version}: it is recorded as workflow version ${workflowVersion} but compiles to ${workflow.version} in this process (other function code, or a record changed by hand)`,
        { workflowId, version: indexed.version, workflowVersion, compiled: workflow.version },
      )
      return undefined
    }
    // Not recorded: published before hashes were recorded (or never published). Compile the
    // stored versions, newest first; one that matches is recorded for the next process.
    const versions = await listAll<DefinitionVersion>(records, versionsCollection, `${workflowId}/`)
    const problems: string[] = []
    for (const candidate of versions.reverse()) {
      const known = compiledVersions.get(`${workflowId}/${candidate.contentHash}`)
      if (known !== undefined && known !== workflowVersion) continue
      const workflow = await compile(candidate, depth)
      if (workflow instanceof Error) {
        problems.push(`version ${candidate.version} does not compile (${workflow.message})`)
        continue
      }
      if (workflow.version !== workflowVersion) continue
      await indexWorkflowVersion(records, {
        workflowId,
        workflowVersion,
        version: candidate.version,
        at: clock.now(),
      }).catch(() => undefined)
      return workflow
    }
    // Only worth a warning when a stored version could not be checked: otherwise the version is
    // simply not stored (a version defined in code), as the worker's own warning says.
    if (problems.length > 0) notCompiled(workflowId, workflowVersion, problems)
    return undefined
  }

  const plan = (task: { workflowId: string; workflowVersion: string }) => {
    const key = `${task.workflowId}@${task.workflowVersion}`
    const until = missed.get(key)
    if (until !== undefined && until > clock.now()) return Promise.resolve(undefined)
    let pending = lookups.get(key)
    if (pending === undefined) {
      pending = find(task.workflowId, task.workflowVersion, 0)
        .then((workflow) => {
          // Registered meanwhile (by the application, say): that one stands.
          const registered = host.planForTask(task)
          if (registered) return registered
          if (!workflow) {
            remember(missed, key, clock.now() + missTtl)
            return undefined
          }
          logger.info(
            `Registered workflow "${task.workflowId}" version ${task.workflowVersion} from its stored definition`,
            { workflowId: task.workflowId, workflowVersion: task.workflowVersion },
          )
          return host.planFor(workflow, false)
        })
        // The store failed: not remembered, the next task asks again.
        .catch((error: unknown) => {
          logger.error(`Looking up a stored workflow definition failed: ${message(error)}`, {
            workflowId: task.workflowId,
            workflowVersion: task.workflowVersion,
          })
          return undefined
        })
        .finally(() => lookups.delete(key))
      lookups.set(key, pending)
    }
    return pending
  }

  /** The published version of a workflow id: the registered one if the head names it, or compiled. */
  const readPublished = async (workflowId: string): Promise<Workflow | null> => {
    const head = (await readHeadRecord(records, workflowId))?.value
    if (head?.publishedVersion === undefined) return null
    const hash = head.publishedWorkflowVersion
    const known = hash === undefined ? undefined : registry.workflowVersion(workflowId, hash)
    if (known) return known
    const version = await readVersionRecord(records, workflowId, head.publishedVersion)
    // Gone (deleted meanwhile): as if none were published.
    if (!version) return null
    await resolveChildren(version.definition, 0)
    let workflow: Workflow
    try {
      workflow = host.compile(version.definition)
    } catch (error) {
      logger.warn(
        `The published version ${head.publishedVersion} of workflow "${workflowId}" does not compile in this process, which cannot start it: ${message(error)}`,
        { workflowId, version: head.publishedVersion },
      )
      throw error
    }
    if (hash !== undefined && workflow.version !== hash) {
      logger.warn(
        `The published version ${head.publishedVersion} of workflow "${workflowId}" compiles to workflow version ${workflow.version} in this process, not ${hash} as where it was published (other function code): runs started here are pinned to ${workflow.version}`,
        { workflowId, version: head.publishedVersion, workflowVersion: workflow.version, hash },
      )
    }
    host.planFor(workflow)
    return workflow
  }

  const published = (workflowId: string): Promise<Workflow | null> => {
    let pending = reading.get(workflowId)
    if (pending === undefined) {
      const generation = generations.get(workflowId)
      const keep = (entry: Cached) => {
        // Published in this process while the head was being read: that read may be older.
        if (generations.get(workflowId) === generation)
          remember(cache, workflowId, { ...entry, until: clock.now() + publishedTtl })
      }
      pending = readPublished(workflowId)
        .then(
          (workflow) => {
            keep({ until: 0, workflow })
            return workflow
          },
          (error: unknown) => {
            // A definition that does not compile stays so: kept like a result. A failed read is not.
            if (code(error) === 'invalid_definition') keep({ until: 0, workflow: null, error })
            throw error
          },
        )
        .finally(() => {
          if (reading.get(workflowId) === pending) reading.delete(workflowId)
        })
      reading.set(workflowId, pending)
    }
    return pending
  }

  return {
    current(workflowId) {
      const entry = cache.get(workflowId)
      if (entry === undefined || entry.until <= clock.now()) return undefined
      if (entry.error !== undefined) throw entry.error
      return entry.workflow
    },
    published,
    plan,
    forget(workflowId) {
      cache.delete(workflowId)
      // A read in flight began before: the next start reads again, and that read is not kept.
      reading.delete(workflowId)
      generations.set(workflowId, (generations.get(workflowId) ?? 0) + 1)
    },
  }
}
