import {
  ConnectorError,
  InvalidArgumentError,
  ValidationError,
  parseDuration,
  serializeError,
  type Duration,
  type InputOf,
  type TriggerContext,
  type TriggerSubscription,
  type TriggerV1,
  type Workflow,
} from '@tessera/core'
import { checkTriggerBasics } from './trigger-options'
import { keepsRecords, readTriggerState, writeTriggerState } from './trigger-state'

/**
 * What a poll returns: the new items and the cursor to poll from next time.
 *
 * @example
 * ```ts
 * const result: PollResult<{ id: number }, number> = { items: [{ id: 8 }, { id: 9 }], cursor: 9, more: false }
 * ```
 */
export interface PollResult<Item, Cursor> {
  items: readonly Item[]
  /** Stored (as JSON) once every item has started its run; the next poll receives it. */
  cursor: Cursor
  /** True when more items are waiting (a page of many): the next poll follows at once. */
  more?: boolean
}

/**
 * Options of {@link pollTrigger}.
 *
 * @example
 * ```ts
 * const options: PollTriggerOptions<typeof triage, Issue, string> = {
 *   id: 'new-issues', interval: '1m', workflow: triage,
 *   poll: ({ cursor }) => listIssuesSince(cursor), key: (issue) => String(issue.id),
 * }
 * ```
 */
export interface PollTriggerOptions<W extends Workflow, Item, Cursor> {
  /** Unique per engine and stable across deploys: it is part of every run's idempotency key. */
  id: string
  /** Time between polls (`30s`, `5m`, or milliseconds). */
  interval: Duration
  /** The workflow each new item starts. */
  workflow: W
  /**
   * Asks the remote system for items after `cursor` (the stored one, or `initialCursor` on the
   * first poll). Pass `signal` on: it aborts when the trigger stops. `secret(name)` reads a
   * credential of the polled API through the engine's `secrets` provider.
   */
  poll: (request: {
    cursor: Cursor | undefined
    signal: AbortSignal
    /** Reads a secret through the engine's `secrets` provider (undefined when missing). */
    secret: (name: string) => Promise<string | undefined>
  }) => Promise<PollResult<Item, Cursor>>
  /** The item's identity (its id, or id + version): the run's idempotency key. */
  key: (item: Item) => string
  /** The run's input for an item. Default: the item itself. */
  input?: (item: Item) => InputOf<W>
  /** The cursor of the very first poll. */
  initialCursor?: Cursor
  /** Longest wait between polls after failures (the wait doubles from `interval`). Default 5m. */
  maxBackoff?: Duration
  description?: string
}

/**
 * A poll trigger: a {@link TriggerV1} of type `poll` (see {@link pollTrigger}).
 *
 * @example
 * ```ts
 * const issues: PollTrigger = pollTrigger({ id: 'issues', interval: '1m', workflow: triage, poll, key: (issue) => String(issue.id) })
 * await engine.startTrigger(issues)
 * ```
 */
export interface PollTrigger<W extends Workflow = Workflow> extends TriggerV1 {
  readonly type: 'poll'
  readonly workflow: W
}

/**
 * A trigger that polls a remote system every `interval` and starts one run per new item.
 *
 * The cursor lives in the store's records (`tessera.triggers`/`poll:<id>`; the store needs
 * `capabilities.records`), so it survives restarts and is shared by every worker. One poll:
 * read the cursor, call `poll`, start a run per item (idempotency key
 * `trigger:<id>:<key(item)>`), then write the new cursor with compare-and-set on the revision
 * read. Two workers polling at once both start the same items, which yields one run per item;
 * only one of them advances the cursor. A crash after some runs started and before the cursor
 * moved repeats the poll, and the keys make the repeat start nothing twice. An item whose input
 * the workflow refuses (`ValidationError`) is logged and skipped; any other failure (the poll
 * throws, the store is down) leaves the cursor where it was and the next poll waits twice as
 * long, up to `maxBackoff`.
 *
 * @example
 * ```ts
 * import { createEngine } from '@tessera/core'
 * import { pollTrigger } from '@tessera/connectors/triggers'
 *
 * const issues = pollTrigger({
 *   id: 'new-issues',
 *   interval: '1m',
 *   workflow: triage,
 *   initialCursor: new Date().toISOString(),
 *   poll: async ({ cursor, signal }) => {
 *     const response = await fetch(`https://tracker.example.com/issues?since=${cursor}`, { signal })
 *     const items: { id: number; title: string; updatedAt: string }[] = await response.json()
 *     return { items, cursor: items.at(-1)?.updatedAt ?? cursor }
 *   },
 *   key: (issue) => `${issue.id}@${issue.updatedAt}`,
 *   input: (issue) => ({ issueId: issue.id, title: issue.title }),
 * })
 * const engine = createEngine({ store, triggers: [issues] })
 * ```
 */
export function pollTrigger<W extends Workflow, Item, Cursor = unknown>(
  options: PollTriggerOptions<W, Item, Cursor>,
): PollTrigger<W> {
  checkTriggerBasics('pollTrigger', options)
  const intervalMs = parseDuration(options.interval, 'pollTrigger.interval')
  const maxBackoffMs = Math.max(
    intervalMs,
    parseDuration(options.maxBackoff ?? '5m', 'pollTrigger.maxBackoff'),
  )
  for (const name of ['poll', 'key'] as const) {
    if (typeof options[name] !== 'function') {
      throw new InvalidArgumentError({
        fn: 'pollTrigger',
        argument: name,
        expected: 'a function',
        received: options[name],
      })
    }
  }
  const inputFor = options.input ?? ((item: Item) => item as InputOf<W>)
  const stateKey = `poll:${options.id}`

  const start = async (context: TriggerContext): Promise<TriggerSubscription> => {
    const { clock, logger, signal, store } = context
    if (!keepsRecords(store)) {
      throw new ConnectorError({
        connector: 'poll-trigger',
        action: 'start',
        reason: 'invalid-config',
        message: `pollTrigger "${options.id}" keeps its cursor in the store's records, and this store has none (capabilities.records): use the memory, SQLite, PostgreSQL, MySQL or Redis store`,
      })
    }
    let timer: unknown
    let cycle: Promise<void> | undefined
    let failures = 0

    const pollOnce = async (): Promise<boolean> => {
      const state = await readTriggerState(store, stateKey)
      const cursor = state ? (state.value as { cursor?: Cursor }).cursor : options.initialCursor
      const result = await options.poll({ cursor, signal, secret: context.secret })
      if (typeof result !== 'object' || result === null || !Array.isArray(result.items)) {
        throw new ConnectorError({
          connector: 'poll-trigger',
          action: 'poll',
          reason: 'invalid-response',
          message: `pollTrigger "${options.id}": poll() must resolve to { items: [], cursor }, received ${result === null ? 'null' : Array.isArray(result) ? 'an array' : typeof result}`,
        })
      }
      let started = 0
      for (const item of result.items) {
        const key = options.key(item)
        if (typeof key !== 'string' || key === '') {
          throw new InvalidArgumentError({
            fn: `pollTrigger "${options.id}"`,
            argument: 'key(item)',
            expected: 'a non-empty string',
            received: key,
          })
        }
        try {
          if ((await context.startRun(inputFor(item), { idempotencyKey: key })).created) started++
        } catch (error) {
          if (!ValidationError.isInstance(error)) throw error
          logger.error('Polled item refused by the workflow input; skipped', {
            error: serializeError(error),
          })
        }
      }
      const written = await writeTriggerState(
        store,
        stateKey,
        { cursor: result.cursor },
        state?.revision ?? 0,
        clock.now(),
      )
      logger.debug('Polled', { items: result.items.length, started, cursorAdvanced: written })
      return result.more === true
    }

    const pollNow = () => {
      if (signal.aborted) return
      cycle = pollOnce()
        .then(
          (more) => {
            failures = 0
            return more
          },
          (error: unknown) => {
            if (signal.aborted) return false
            failures++
            logger.error('Poll failed; backing off', { failures, error: serializeError(error) })
            return false
          },
        )
        .then((more) => {
          cycle = undefined
          if (more) return pollNow()
          schedule(failures === 0 ? intervalMs : Math.min(intervalMs * 2 ** failures, maxBackoffMs))
        })
    }

    const schedule = (delayMs: number) => {
      if (signal.aborted) return
      timer = clock.setTimeout(() => {
        timer = undefined
        pollNow()
      }, delayMs)
      ;(timer as { unref?: () => void }).unref?.()
    }
    pollNow()

    return {
      async stop() {
        if (timer !== undefined) clock.clearTimeout(timer)
        timer = undefined
        await cycle
      },
    }
  }

  return {
    specificationVersion: 'v1',
    kind: 'trigger',
    type: 'poll',
    id: options.id,
    description: options.description,
    workflow: options.workflow,
    start,
  }
}
