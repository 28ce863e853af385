import { checkTablePrefix as checkSqlTablePrefix } from '../table-prefix'
import { InvalidArgumentError } from '@tessera/core'
import { recordMigrations } from './postgres-record-migrations'
import { threadMigrations } from './postgres-thread-migrations'

/**
 * The schema used when none is given.
 *
 * @example
 * ```ts
 * postgresMigrations({ schema: defaultPostgresSchema }) // the same as postgresMigrations()
 * ```
 */
export const defaultPostgresSchema = 'public'

/**
 * The table prefix used when none is given.
 *
 * @example
 * ```ts
 * const runsTable = `${defaultPostgresTablePrefix}runs` // 'tessera_runs'
 * ```
 */
export const defaultPostgresTablePrefix = 'tessera_'

/**
 * The schema version this code writes and understands (kept in the `<prefix>meta` table under
 * `schema_version`). A store refuses tables whose version is newer. Version 2 added the
 * conversation threads (tables `threads` and `messages`), version 3 the keyed records (table
 * `records`).
 *
 * @example
 * ```ts
 * const { rows } = await pool.query(`SELECT value FROM tessera_meta WHERE key = 'schema_version'`)
 * if (Number(rows[0].value) > postgresSchemaVersion) console.warn('deploy the newer release')
 * ```
 */
export const postgresSchemaVersion = 3

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Checks a schema name: letters, digits and underscores, not starting with a digit. */
export function checkSchema(fn: string, schema: unknown): string {
  if (typeof schema !== 'string' || !identifier.test(schema) || schema.length > 63) {
    throw new InvalidArgumentError({
      fn,
      argument: 'schema',
      expected: 'letters, digits and underscores, not starting with a digit, at most 63',
      received: schema,
    })
  }
  return schema
}

/** Checks a table prefix: like a schema name, or empty; at most 40 characters. */
export function checkTablePrefix(fn: string, prefix: unknown): string {
  return checkSqlTablePrefix(fn, prefix, 40)
}

/** Qualified, quoted names of the store's tables and functions for one schema and prefix. */
export interface PostgresNames {
  schema: string
  prefix: string
  meta: string
  runs: string
  steps: string
  tasks: string
  scopes: string
  scopeResults: string
  events: string
  threads: string
  messages: string
  records: string
  /** A schema-qualified function or table name: `"schema"."<prefix>name"`. */
  of(name: string): string
}

export function postgresNames(schema: string, prefix: string): PostgresNames {
  const of = (name: string) => `"${schema}"."${prefix}${name}"`
  return {
    schema,
    prefix,
    meta: of('meta'),
    runs: of('runs'),
    steps: of('steps'),
    tasks: of('tasks'),
    scopes: of('scopes'),
    scopeResults: of('scope_results'),
    events: of('events'),
    threads: of('threads'),
    messages: of('messages'),
    records: of('records'),
    of,
  }
}

const terminal = `('succeeded', 'failed', 'cancelled')`

/**
 * The schema of the PostgreSQL store as SQL statements: tables, indexes and the PL/pgSQL
 * functions through which every commit, claim, thread and record write is one round trip. Each
 * statement is idempotent (`IF NOT EXISTS`, `CREATE OR REPLACE`), so the list may be applied
 * again. `createPostgresStore` applies them itself (in one transaction, under an advisory lock)
 * unless `migrate: false`; teams that run their own migration tool take the text from here, or
 * from the default-prefix files shipped with the package: `sql/postgres/001_init.sql` (version 1),
 * `sql/postgres/002_threads.sql` (version 1 → 2, the conversation threads) and
 * `sql/postgres/003_records.sql` (version 2 → 3, the keyed records).
 *
 * Without `from`, the statements create the current schema: version 1's, then each upgrade's.
 * `from` is the schema version of existing tables: the statements then upgrade them (from `1`:
 * those of `002_threads.sql` and `003_records.sql`; from `2`: those of `003_records.sql`; from
 * the current version: none).
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs'
 * import { postgresMigrations } from '@tessera/connectors/postgres'
 *
 * const options = { schema: 'workflows', tablePrefix: 'wf_' }
 * // A new database:
 * writeFileSync('migrations/001_tessera.sql', postgresMigrations(options).join(';\n\n') + ';\n')
 * // Tables that a release of schema version 2 created:
 * const upgrade = postgresMigrations({ ...options, from: 2 })
 * writeFileSync('migrations/003_tessera_records.sql', upgrade.join(';\n\n') + ';\n')
 * ```
 */
export function postgresMigrations(
  options: { schema?: string; tablePrefix?: string; from?: number } = {},
): string[] {
  const schema = checkSchema('postgresMigrations', options.schema ?? defaultPostgresSchema)
  const prefix = checkTablePrefix(
    'postgresMigrations',
    options.tablePrefix ?? defaultPostgresTablePrefix,
  )
  const from = options.from
  if (from !== undefined && (!Number.isInteger(from) || from < 1 || from > postgresSchemaVersion)) {
    throw new InvalidArgumentError({
      fn: 'postgresMigrations',
      argument: 'from',
      expected: `a schema version from 1 to ${postgresSchemaVersion}`,
      received: from,
    })
  }
  const n = postgresNames(schema, prefix)
  if (from === postgresSchemaVersion) return []
  if (from === 1) return [...threadMigrations(n), ...recordMigrations(n)]
  if (from === 2) return recordMigrations(n)
  return [...schemaV1(n), ...threadMigrations(n), ...recordMigrations(n)]
}

/** The statements of schema version 1 (`sql/postgres/001_init.sql` for the defaults). */
function schemaV1(n: PostgresNames): string[] {
  const { schema, prefix } = n
  const f = n.of
  const index = (name: string) => `"${prefix}${name}"`
  // Advisory-lock namespace of event names: commits registering event waits and deliveries of
  // events of one name take the same lock, so an event never misses a wait registered at once.
  const lockSpace = `${schema}.${prefix}:event:`

  // The columns of a new task, from one element `e` of a JSON array of TaskRecords (in order).
  const taskColumns = `(id, run_id, workflow_id, workflow_version, node_id, key, path,
      input, attempt, available_at, fence, lease_owner, lease_expires_at, last_error, wait,
      wait_kind, wait_name, wait_fields, wait_key, wait_open, parked)`
  const taskValues = `SELECT e ->> 'id', e ->> 'runId', e ->> 'workflowId', e ->> 'workflowVersion',
      e ->> 'nodeId', e ->> 'key', e -> 'path', e -> 'input', (e -> 'attempt')::integer,
      (e -> 'availableAt')::bigint, (e -> 'fence')::bigint, e ->> 'leaseOwner',
      (e -> 'leaseExpiresAt')::bigint, e -> 'lastError', e -> 'wait',
      e -> 'wait' ->> 'kind', e -> 'wait' ->> 'name',
      CASE WHEN e -> 'wait' ->> 'kind' = 'event'
        THEN ${f('match_fields')}(e -> 'wait' -> 'match') END,
      CASE WHEN e -> 'wait' ->> 'kind' = 'event'
        THEN ${f('match_key')}(e -> 'wait' -> 'match') END,
      coalesce(e ? 'wait' AND NOT (e -> 'wait' ? 'resolution'), false),
      coalesce((e -> 'parked')::boolean, false)
    FROM jsonb_array_elements(p_tasks) WITH ORDINALITY AS x (e, ord)
    ORDER BY x.ord`

  return [
    `DO $$ BEGIN
  IF to_regnamespace('"${schema}"') IS NULL THEN CREATE SCHEMA "${schema}"; END IF;
END $$`,

    `CREATE TABLE IF NOT EXISTS ${n.meta} (
  key text PRIMARY KEY,
  value bigint NOT NULL
)`,
    `INSERT INTO ${n.meta} AS meta (key, value) VALUES ('schema_version', 1)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE meta.value < excluded.value`,

    `CREATE TABLE IF NOT EXISTS ${n.runs} (
  id text COLLATE "C" PRIMARY KEY,
  workflow_id text COLLATE "C" NOT NULL,
  workflow_version text NOT NULL,
  status text NOT NULL,
  input jsonb,
  output jsonb,
  error jsonb,
  idempotency_key text,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  ended_at bigint
)`,
    `CREATE UNIQUE INDEX IF NOT EXISTS ${index('runs_idempotency')}
  ON ${n.runs} (workflow_id, idempotency_key) WHERE idempotency_key IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS ${index('runs_created')} ON ${n.runs} (created_at, id)`,
    `CREATE INDEX IF NOT EXISTS ${index('runs_workflow_created')}
  ON ${n.runs} (workflow_id, created_at, id)`,
    `CREATE INDEX IF NOT EXISTS ${index('runs_ended_workflow')}
  ON ${n.runs} (workflow_id, (coalesce(ended_at, 0)), id) WHERE status IN ${terminal}`,
    `CREATE INDEX IF NOT EXISTS ${index('runs_ended')}
  ON ${n.runs} ((coalesce(ended_at, 0)), id) WHERE status IN ${terminal}`,

    `CREATE TABLE IF NOT EXISTS ${n.steps} (
  run_id text COLLATE "C" NOT NULL,
  key text COLLATE "C" NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  node_id text NOT NULL,
  path jsonb NOT NULL,
  status text NOT NULL,
  output jsonb,
  error jsonb,
  input jsonb,
  attempts integer NOT NULL,
  started_at bigint NOT NULL,
  ended_at bigint NOT NULL,
  PRIMARY KEY (run_id, key)
)`,

    `CREATE TABLE IF NOT EXISTS ${n.tasks} (
  id text COLLATE "C" PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  run_id text COLLATE "C" NOT NULL,
  workflow_id text NOT NULL,
  workflow_version text NOT NULL,
  node_id text NOT NULL,
  key text COLLATE "C" NOT NULL,
  path jsonb NOT NULL,
  input jsonb,
  attempt integer NOT NULL,
  available_at bigint NOT NULL,
  fence bigint NOT NULL,
  lease_owner text,
  lease_expires_at bigint,
  last_error jsonb,
  wait jsonb,
  wait_kind text,
  wait_name text COLLATE "C",
  wait_fields text COLLATE "C",
  wait_key text COLLATE "C",
  wait_open boolean NOT NULL DEFAULT false,
  parked boolean NOT NULL DEFAULT false
)`,
    `CREATE INDEX IF NOT EXISTS ${index('tasks_run')} ON ${n.tasks} (run_id)`,
    `CREATE INDEX IF NOT EXISTS ${index('tasks_claimable')}
  ON ${n.tasks} (available_at) WHERE lease_owner IS NULL AND NOT parked`,
    `CREATE INDEX IF NOT EXISTS ${index('tasks_lease')}
  ON ${n.tasks} (lease_expires_at) WHERE lease_owner IS NOT NULL AND NOT parked`,
    `CREATE INDEX IF NOT EXISTS ${index('tasks_event_wait')}
  ON ${n.tasks} (wait_name, wait_fields, wait_key) WHERE wait_open AND wait_kind = 'event'`,

    `CREATE TABLE IF NOT EXISTS ${n.scopes} (
  run_id text COLLATE "C" NOT NULL,
  key text COLLATE "C" NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  expected integer NOT NULL,
  completed integer NOT NULL,
  items jsonb,
  closed boolean NOT NULL DEFAULT false,
  PRIMARY KEY (run_id, key)
)`,
    `CREATE TABLE IF NOT EXISTS ${n.scopeResults} (
  run_id text COLLATE "C" NOT NULL,
  scope_key text COLLATE "C" NOT NULL,
  idx integer NOT NULL,
  output jsonb,
  PRIMARY KEY (run_id, scope_key, idx)
)`,

    `CREATE TABLE IF NOT EXISTS ${n.events} (
  id text COLLATE "C" PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  name text COLLATE "C" NOT NULL,
  payload jsonb,
  run_id text COLLATE "C",
  received_at bigint NOT NULL,
  expires_at bigint NOT NULL
)`,
    `CREATE INDEX IF NOT EXISTS ${index('events_name')} ON ${n.events} (name, received_at, seq)`,
    `CREATE INDEX IF NOT EXISTS ${index('events_expires')} ON ${n.events} (expires_at)`,

    // ---- Helpers: match keys, row → JSON (SQL NULL columns are left out, JSON null kept).

    `CREATE OR REPLACE FUNCTION ${f('event_lock')}(p_name text) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
  SELECT hashtextextended('${lockSpace}' || coalesce(p_name, ''), 0)
$$`,
    `CREATE OR REPLACE FUNCTION ${f('match_fields')}(p_match jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN jsonb_typeof(p_match) = 'object'
    THEN coalesce((SELECT jsonb_agg(k ORDER BY k COLLATE "C") FROM jsonb_object_keys(p_match) k),
      '[]'::jsonb)::text
    ELSE '[]' END
$$`,
    `CREATE OR REPLACE FUNCTION ${f('match_key')}(p_match jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT md5((CASE WHEN jsonb_typeof(p_match) = 'object' THEN p_match ELSE '{}'::jsonb END)::text)
$$`,
    // The part of an event payload that waits with these match fields compare (NULL: the payload
    // lacks a field, so no such wait matches).
    `CREATE OR REPLACE FUNCTION ${f('event_projection')}(p_payload jsonb, p_fields text)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN p_fields = '[]' THEN '{}'::jsonb
    WHEN jsonb_typeof(p_payload) IS DISTINCT FROM 'object' THEN NULL
    WHEN EXISTS (SELECT 1 FROM jsonb_array_elements_text(p_fields::jsonb) k
      WHERE NOT p_payload ? k) THEN NULL
    ELSE (SELECT jsonb_object_agg(k, p_payload -> k) FROM jsonb_array_elements_text(p_fields::jsonb) k)
  END
$$`,
    `CREATE OR REPLACE FUNCTION ${f('run_json')}(r ${n.runs}) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_strip_nulls(jsonb_build_object('id', r.id, 'workflowId', r.workflow_id,
      'workflowVersion', r.workflow_version, 'status', r.status,
      'idempotencyKey', r.idempotency_key, 'createdAt', r.created_at,
      'updatedAt', r.updated_at, 'endedAt', r.ended_at))
    || CASE WHEN r.input IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('input', r.input) END
    || CASE WHEN r.output IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('output', r.output) END
    || CASE WHEN r.error IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('error', r.error) END
$$`,
    `CREATE OR REPLACE FUNCTION ${f('step_json')}(s ${n.steps}) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('runId', s.run_id, 'key', s.key, 'nodeId', s.node_id,
      'path', s.path, 'status', s.status, 'attempts', s.attempts,
      'startedAt', s.started_at, 'endedAt', s.ended_at)
    || CASE WHEN s.output IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('output', s.output) END
    || CASE WHEN s.error IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('error', s.error) END
    || CASE WHEN s.input IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('input', s.input) END
$$`,
    `CREATE OR REPLACE FUNCTION ${f('task_json')}(t ${n.tasks}) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_strip_nulls(jsonb_build_object('id', t.id, 'runId', t.run_id,
      'workflowId', t.workflow_id, 'workflowVersion', t.workflow_version,
      'nodeId', t.node_id, 'key', t.key, 'attempt', t.attempt,
      'availableAt', t.available_at, 'fence', t.fence, 'leaseOwner', t.lease_owner,
      'leaseExpiresAt', t.lease_expires_at, 'parked', CASE WHEN t.parked THEN true END))
    || jsonb_build_object('path', t.path)
    || CASE WHEN t.input IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('input', t.input) END
    || CASE WHEN t.last_error IS NULL THEN '{}'::jsonb
       ELSE jsonb_build_object('lastError', t.last_error) END
    || CASE WHEN t.wait IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('wait', t.wait) END
$$`,
    `CREATE OR REPLACE FUNCTION ${f('scope_results_json')}(p_run text, p_key text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT coalesce(jsonb_object_agg(idx::text, output) FILTER (WHERE output IS NOT NULL),
    '{}'::jsonb)
  FROM ${n.scopeResults} WHERE run_id = p_run AND scope_key = p_key
$$`,
    `CREATE OR REPLACE FUNCTION ${f('scope_json')}(s ${n.scopes}) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('runId', s.run_id, 'key', s.key, 'expected', s.expected,
      'completed', s.completed, 'closed', s.closed,
      'results', ${f('scope_results_json')}(s.run_id, s.key))
    || CASE WHEN s.items IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('items', s.items) END
$$`,

    // ---- Writes shared by several operations.

    // Event names of the new unresolved event waits, locked in a fixed order before any row.
    `CREATE OR REPLACE FUNCTION ${f('lock_event_names')}(p_tasks jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_name text;
BEGIN
  FOR v_name IN
    SELECT DISTINCT coalesce(e -> 'wait' ->> 'name', '') FROM jsonb_array_elements(p_tasks) e
    WHERE e -> 'wait' ->> 'kind' = 'event' AND NOT (e -> 'wait' ? 'resolution')
    ORDER BY 1
  LOOP
    PERFORM pg_advisory_xact_lock(${f('event_lock')}(v_name));
  END LOOP;
END $$`,
    // Inserts tasks (an existing id is left as it is); returns the ids inserted, in input order,
    // and whether each is a wait / an unresolved event wait.
    `CREATE OR REPLACE FUNCTION ${f('insert_tasks')}(p_tasks jsonb)
RETURNS TABLE (task_id text, ord bigint, is_wait boolean, event_wait boolean)
LANGUAGE plpgsql AS $$
BEGIN
  -- PL/pgSQL, not SQL: its statements' plans are cached for the session.
  RETURN QUERY
  WITH ins AS (
    INSERT INTO ${n.tasks} AS t ${taskColumns}
    ${taskValues}
    ON CONFLICT ON CONSTRAINT "${prefix}tasks_pkey" DO NOTHING
    RETURNING t.id, t.wait IS NOT NULL AS waits, t.wait_open AND t.wait_kind = 'event' AS listens
  )
  SELECT ins.id::text, x.ord, ins.waits, ins.listens
  FROM ins JOIN jsonb_array_elements(p_tasks) WITH ORDINALITY AS x (e, ord)
    ON x.e ->> 'id' = ins.id
  ORDER BY x.ord;
END $$`,
    // The inbox rule: each new unresolved event wait takes the oldest unexpired matching event
    // (deleted from the inbox) and becomes available at p_now. Returns the woken ids, or NULL.
    `CREATE OR REPLACE FUNCTION ${f('take_inbox')}(p_ids text[], p_now bigint) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  v_task record;
  v_event ${n.events};
  v_woken jsonb;
BEGIN
  FOR v_task IN
    SELECT t.id, t.run_id, t.wait_name, t.wait_fields, t.wait_key, t.wait
    FROM unnest(p_ids) WITH ORDINALITY AS u (id, ord) JOIN ${n.tasks} t ON t.id = u.id
    ORDER BY u.ord
  LOOP
    DELETE FROM ${n.events} WHERE id = (
      SELECT e.id FROM ${n.events} e
      WHERE e.name = v_task.wait_name AND e.expires_at > p_now
        AND (e.run_id IS NULL OR e.run_id = v_task.run_id)
        AND ${f('event_projection')}(e.payload, v_task.wait_fields)
          = coalesce(v_task.wait -> 'match', '{}'::jsonb)
      ORDER BY e.received_at, e.seq LIMIT 1 FOR UPDATE)
    RETURNING * INTO v_event;
    IF FOUND THEN
      UPDATE ${n.tasks} SET wait = wait || jsonb_build_object('resolution',
          jsonb_build_object('type', 'event', 'eventId', v_event.id, 'at', p_now)
          || CASE WHEN v_event.payload IS NULL THEN '{}'::jsonb
             ELSE jsonb_build_object('payload', v_event.payload) END),
        wait_open = false, available_at = p_now
      WHERE id = v_task.id;
      v_woken := coalesce(v_woken, '[]'::jsonb) || to_jsonb(v_task.id);
    END IF;
  END LOOP;
  RETURN v_woken;
END $$`,
    // The suspension rule: a running or suspended run with tasks, all of them unresolved waits,
    // is suspended; with any other task it is running.
    `CREATE OR REPLACE FUNCTION ${f('derive_status')}(p_run text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_status text;
BEGIN
  IF EXISTS (SELECT 1 FROM ${n.tasks} WHERE run_id = p_run AND NOT wait_open) THEN
    v_status := 'running';
  ELSIF EXISTS (SELECT 1 FROM ${n.tasks} WHERE run_id = p_run) THEN
    v_status := 'suspended';
  ELSE
    SELECT status INTO v_status FROM ${n.runs} WHERE id = p_run;
    RETURN v_status;
  END IF;
  UPDATE ${n.runs} SET status = v_status
  WHERE id = p_run AND status IN ('running', 'suspended') AND status <> v_status;
  SELECT status INTO v_status FROM ${n.runs} WHERE id = p_run;
  RETURN v_status;
END $$`,

    // ---- The operations: one call, one round trip each.

    `CREATE OR REPLACE FUNCTION ${f('create_run')}(c jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  r jsonb := c -> 'run';
  v_run ${n.runs};
  v_status text := r ->> 'status';
  v_terminal boolean := (r ->> 'status') IN ${terminal};
  v_ids text[];
  v_waits boolean;
  v_woken jsonb;
  v_inserted boolean := false;
BEGIN
  IF NOT v_terminal AND jsonb_path_exists(c, '$.tasks[*].wait ? (@.kind == "event" && !exists(@.resolution))') THEN
    PERFORM ${f('lock_event_names')}(c -> 'tasks');
  END IF;
  FOR v_pass IN 1..2 LOOP
    IF r ? 'idempotencyKey' THEN
      SELECT * INTO v_run FROM ${n.runs}
      WHERE workflow_id = r ->> 'workflowId' AND idempotency_key = r ->> 'idempotencyKey';
      IF FOUND THEN
        RETURN jsonb_build_object('created', false, 'run', ${f('run_json')}(v_run));
      END IF;
    END IF;
    SELECT * INTO v_run FROM ${n.runs} WHERE id = r ->> 'id';
    IF FOUND THEN
      RETURN jsonb_build_object('created', false, 'run', ${f('run_json')}(v_run));
    END IF;
    EXIT WHEN v_pass = 2;
    -- A concurrent create of the same run or key makes this insert do nothing (once that
    -- transaction has committed): the second pass reads the winner back.
    INSERT INTO ${n.runs} (id, workflow_id, workflow_version, status, input, output, error,
      idempotency_key, created_at, updated_at, ended_at)
    VALUES (r ->> 'id', r ->> 'workflowId', r ->> 'workflowVersion', r ->> 'status',
      r -> 'input', r -> 'output', r -> 'error', r ->> 'idempotencyKey',
      (r -> 'createdAt')::bigint, (r -> 'updatedAt')::bigint, (r -> 'endedAt')::bigint)
    ON CONFLICT DO NOTHING;
    v_inserted := FOUND;
    EXIT WHEN v_inserted;
  END LOOP;
  IF NOT v_inserted THEN
    RAISE EXCEPTION 'run % conflicts with a run that could not be read back', r ->> 'id'
      USING ERRCODE = '40001';
  END IF;
  WITH ins AS (
    INSERT INTO ${n.scopes} (run_id, key, expected, completed, items, closed)
    SELECT r ->> 'id', e ->> 'key', (e -> 'expected')::integer, (e -> 'completed')::integer,
      e -> 'items', coalesce((e -> 'closed')::boolean, false)
    FROM jsonb_array_elements(c -> 'scopes') e
    ON CONFLICT DO NOTHING RETURNING key)
  INSERT INTO ${n.scopeResults} (run_id, scope_key, idx, output)
  SELECT r ->> 'id', e ->> 'key', o.key::integer, o.value
  FROM jsonb_array_elements(c -> 'scopes') e, jsonb_each(e -> 'results') o
  WHERE e ->> 'key' IN (SELECT key FROM ins)
  ON CONFLICT DO NOTHING;
  IF NOT v_terminal AND jsonb_array_length(c -> 'tasks') > 0 THEN
    SELECT array_agg(i.task_id ORDER BY i.ord) FILTER (WHERE i.event_wait), coalesce(bool_or(i.is_wait), false)
    INTO v_ids, v_waits FROM ${f('insert_tasks')}(c -> 'tasks') i;
    IF v_ids IS NOT NULL THEN
      v_woken := ${f('take_inbox')}(v_ids, (r -> 'createdAt')::bigint);
    END IF;
    IF v_waits THEN v_status := ${f('derive_status')}(r ->> 'id'); END IF;
  END IF;
  RETURN jsonb_build_object('created', true, 'status', v_status)
    || CASE WHEN v_woken IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('woken', v_woken) END;
END $$`,

    `CREATE OR REPLACE FUNCTION ${f('claim')}(p_id text, p_owner text, p_lease bigint, p_now bigint)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  t ${n.tasks};
BEGIN
  -- Fast path: a claimable task that is not a wait, in one statement.
  UPDATE ${n.tasks} SET fence = fence + 1, lease_owner = p_owner, lease_expires_at = p_now + p_lease
  WHERE id = p_id AND wait IS NULL AND NOT parked AND available_at <= p_now
    AND (lease_owner IS NULL OR coalesce(lease_expires_at, 0) <= p_now)
  RETURNING * INTO t;
  IF FOUND THEN
    RETURN jsonb_build_object('status', 'claimed', 'task', ${f('task_json')}(t));
  END IF;
  LOOP
    SELECT * INTO t FROM ${n.tasks} WHERE id = p_id;
    IF NOT FOUND OR t.parked THEN RETURN '{"status":"missing"}'::jsonb; END IF;
    IF t.available_at > p_now THEN
      RETURN jsonb_build_object('status', 'not-ready', 'availableAt', t.available_at);
    END IF;
    IF t.lease_owner IS NOT NULL AND coalesce(t.lease_expires_at, 0) > p_now THEN
      RETURN jsonb_build_object('status', 'leased', 'leaseExpiresAt', t.lease_expires_at);
    END IF;
    -- Claiming a wait may wake its run: lock the run before the task, as commits do.
    IF t.wait IS NOT NULL THEN
      PERFORM 1 FROM ${n.runs} WHERE id = t.run_id FOR NO KEY UPDATE;
    END IF;
    UPDATE ${n.tasks} SET fence = fence + 1, lease_owner = p_owner,
      lease_expires_at = p_now + p_lease
    WHERE id = p_id AND NOT parked AND available_at <= p_now
      AND (lease_owner IS NULL OR coalesce(lease_expires_at, 0) <= p_now)
    RETURNING * INTO t;
    IF FOUND THEN
      IF t.wait IS NOT NULL THEN
        UPDATE ${n.runs} SET status = 'running' WHERE id = t.run_id AND status = 'suspended';
      END IF;
      RETURN jsonb_build_object('status', 'claimed', 'task', ${f('task_json')}(t));
    END IF;
  END LOOP;
END $$`,

    `CREATE OR REPLACE FUNCTION ${f('claim_next')}(p_owner text, p_lease bigint, p_now bigint,
  p_limit integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  v_claimed jsonb;
BEGIN
  WITH free AS (
    SELECT id, available_at FROM ${n.tasks}
    WHERE lease_owner IS NULL AND NOT parked AND available_at <= p_now
    ORDER BY available_at LIMIT p_limit FOR UPDATE SKIP LOCKED
  ), expired AS (
    SELECT id, available_at FROM ${n.tasks}
    WHERE lease_owner IS NOT NULL AND NOT parked AND available_at <= p_now
      AND (lease_expires_at <= p_now OR lease_expires_at IS NULL)
    ORDER BY lease_expires_at LIMIT p_limit FOR UPDATE SKIP LOCKED
  ), chosen AS (
    SELECT id FROM (SELECT * FROM free UNION ALL SELECT * FROM expired) c
    ORDER BY available_at, id LIMIT p_limit
  ), claimed AS (
    UPDATE ${n.tasks} t SET fence = t.fence + 1, lease_owner = p_owner,
      lease_expires_at = p_now + p_lease
    FROM chosen WHERE t.id = chosen.id
    RETURNING t AS task
  ), woken AS (
    -- Claimed waits wake their suspended runs; a run locked by a commit in progress is left
    -- to that commit (waiting here could deadlock: commits lock the run before its tasks).
    UPDATE ${n.runs} SET status = 'running'
    WHERE id IN (SELECT r.id FROM ${n.runs} r
      WHERE r.id IN (SELECT (task).run_id FROM claimed WHERE (task).wait IS NOT NULL)
        AND r.status = 'suspended'
      FOR NO KEY UPDATE SKIP LOCKED)
  )
  SELECT jsonb_agg(${f('task_json')}(task) ORDER BY (task).available_at, (task).id)
  INTO v_claimed FROM claimed;
  RETURN coalesce(v_claimed, '[]'::jsonb);
END $$`,

    `CREATE OR REPLACE FUNCTION ${f('commit')}(c jsonb, p_now bigint) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  v_run text := c ->> 'runId';
  v_task text := c -> 'task' ->> 'id';
  v_join jsonb := c -> 'join';
  v_status text;
  v_refusal text;
  v_closed boolean;
  v_scope ${n.scopes};
  v_added integer;
  v_ids text[];
  v_waits boolean := false;
  v_woken jsonb;
  v_outcome jsonb;
BEGIN
  IF jsonb_path_exists(c, '$.tasks[*].wait ? (@.kind == "event" && !exists(@.resolution))') THEN
    PERFORM ${f('lock_event_names')}(c -> 'tasks');
  END IF;
  -- Checks first, under the run's row lock: a refused commit writes nothing.
  SELECT status INTO v_status FROM ${n.runs} WHERE id = v_run FOR NO KEY UPDATE;
  IF NOT FOUND THEN RETURN '{"status":"not-found"}'::jsonb; END IF;
  IF v_status IN ${terminal} THEN
    RETURN jsonb_build_object('status', 'run-ended',
      'run', (SELECT ${f('run_json')}(r) FROM ${n.runs} r WHERE r.id = v_run));
  END IF;
  -- The step, scope and join checks read rows that only holders of the run's lock change. When
  -- one refuses, the fence answers first (the port's order: stale, then duplicate).
  IF c ? 'step' AND EXISTS (SELECT 1 FROM ${n.steps}
      WHERE run_id = v_run AND key = c -> 'step' ->> 'key') THEN
    v_refusal := 'duplicate';
  ELSIF c ? 'closeScope' THEN
    SELECT closed INTO v_closed FROM ${n.scopes} WHERE run_id = v_run AND key = c ->> 'closeScope';
    IF NOT FOUND OR v_closed THEN v_refusal := 'duplicate'; END IF;
  END IF;
  -- Nested: PL/pgSQL evaluates a condition with a sub-select as a query, so the common commit
  -- (no join) must not reach it.
  IF v_refusal IS NULL AND v_join IS NOT NULL THEN
    IF NOT EXISTS (SELECT 1 FROM ${n.scopes}
        WHERE run_id = v_run AND key = v_join ->> 'scopeKey') THEN
      v_refusal := 'no-scope';
    END IF;
  END IF;
  IF v_refusal IS NOT NULL THEN
    IF v_task IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${n.tasks}
        WHERE id = v_task AND fence = (c -> 'task' -> 'fence')::bigint) THEN
      RETURN '{"status":"stale"}'::jsonb;
    END IF;
    RETURN jsonb_build_object('status', v_refusal);
  END IF;

  -- The fence check and the task's write are one statement (it waits for a claim in flight, then
  -- sees its fence); nothing has been written before it.
  IF v_task IS NOT NULL THEN
    IF c ? 'retry' THEN
      UPDATE ${n.tasks} SET attempt = (c -> 'retry' -> 'attempt')::integer,
        available_at = (c -> 'retry' -> 'availableAt')::bigint, last_error = c -> 'retry' -> 'error',
        lease_owner = NULL, lease_expires_at = NULL
      WHERE id = v_task AND fence = (c -> 'task' -> 'fence')::bigint;
    ELSE
      DELETE FROM ${n.tasks} WHERE id = v_task AND fence = (c -> 'task' -> 'fence')::bigint;
    END IF;
    IF NOT FOUND THEN RETURN '{"status":"stale"}'::jsonb; END IF;
  END IF;
  IF c ? 'step' THEN
    INSERT INTO ${n.steps} (run_id, key, node_id, path, status, output, error, input, attempts,
      started_at, ended_at)
    SELECT v_run, s ->> 'key', s ->> 'nodeId', s -> 'path', s ->> 'status', s -> 'output',
      s -> 'error', s -> 'input', (s -> 'attempts')::integer, (s -> 'startedAt')::bigint,
      (s -> 'endedAt')::bigint
    FROM (SELECT c -> 'step' AS s) x;
  END IF;
  IF c ? 'scopes' THEN
    WITH ins AS (
      INSERT INTO ${n.scopes} (run_id, key, expected, completed, items, closed)
      SELECT v_run, e ->> 'key', (e -> 'expected')::integer, (e -> 'completed')::integer,
        e -> 'items', coalesce((e -> 'closed')::boolean, false)
      FROM jsonb_array_elements(c -> 'scopes') e
      ON CONFLICT DO NOTHING RETURNING key)
    INSERT INTO ${n.scopeResults} (run_id, scope_key, idx, output)
    SELECT v_run, e ->> 'key', o.key::integer, o.value
    FROM jsonb_array_elements(c -> 'scopes') e, jsonb_each(e -> 'results') o
    WHERE e ->> 'key' IN (SELECT key FROM ins)
    ON CONFLICT DO NOTHING;
  END IF;
  IF v_join IS NOT NULL THEN
    INSERT INTO ${n.scopeResults} (run_id, scope_key, idx, output)
    VALUES (v_run, v_join ->> 'scopeKey', (v_join -> 'index')::integer, v_join -> 'output')
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS v_added = ROW_COUNT;
    IF v_added = 1 THEN
      UPDATE ${n.scopes} SET completed = completed + 1
      WHERE run_id = v_run AND key = v_join ->> 'scopeKey' RETURNING * INTO v_scope;
    ELSE
      SELECT * INTO v_scope FROM ${n.scopes} WHERE run_id = v_run AND key = v_join ->> 'scopeKey';
    END IF;
    v_outcome := jsonb_build_object('key', v_scope.key, 'expected', v_scope.expected,
      'completed', v_scope.completed, 'closed', v_scope.closed);
    IF v_scope.completed = v_scope.expected THEN
      v_outcome := v_outcome
        || jsonb_build_object('results', ${f('scope_results_json')}(v_run, v_scope.key));
    END IF;
  END IF;
  IF c ? 'closeScope' THEN
    UPDATE ${n.scopes} SET closed = true WHERE run_id = v_run AND key = c ->> 'closeScope';
  END IF;
  IF jsonb_path_exists(c, '$.tasks[*].wait') THEN
    SELECT array_agg(i.task_id ORDER BY i.ord) FILTER (WHERE i.event_wait), coalesce(bool_or(i.is_wait), false)
    INTO v_ids, v_waits FROM ${f('insert_tasks')}(c -> 'tasks') i;
    IF v_ids IS NOT NULL THEN v_woken := ${f('take_inbox')}(v_ids, p_now); END IF;
  ELSIF c ? 'tasks' THEN
    -- No waits among them (a step's successors): a plain insert.
    INSERT INTO ${n.tasks} AS t ${taskColumns}
    ${taskValues.replace('p_tasks', "c -> 'tasks'")}
    ON CONFLICT ON CONSTRAINT "${prefix}tasks_pkey" DO NOTHING;
  END IF;
  IF c ? 'run' THEN
    UPDATE ${n.runs} SET status = coalesce(c -> 'run' ->> 'status', status),
      output = coalesce(c -> 'run' -> 'output', output),
      error = coalesce(c -> 'run' -> 'error', error),
      updated_at = (c -> 'run' -> 'updatedAt')::bigint,
      ended_at = coalesce((c -> 'run' -> 'endedAt')::bigint, ended_at)
    WHERE id = v_run RETURNING status INTO v_status;
    IF v_status = 'failed' THEN
      -- Parked, not deleted: reopen_run continues the run from them.
      UPDATE ${n.tasks} SET parked = true, lease_owner = NULL, lease_expires_at = NULL
      WHERE run_id = v_run;
    ELSIF v_status IN ${terminal} THEN
      DELETE FROM ${n.tasks} WHERE run_id = v_run;
    END IF;
  END IF;
  IF v_status NOT IN ${terminal} AND (v_waits OR v_status = 'suspended'
      OR (v_task IS NOT NULL AND NOT c ? 'retry'
        AND NOT jsonb_path_exists(c, '$.tasks[*] ? (!exists(@.wait))'))) THEN
    PERFORM ${f('derive_status')}(v_run);
  END IF;
  IF v_outcome IS NULL AND v_woken IS NULL THEN RETURN '{"status":"committed"}'::jsonb; END IF;
  RETURN jsonb_build_object('status', 'committed')
    || CASE WHEN v_outcome IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('join', v_outcome) END
    || CASE WHEN v_woken IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('woken', v_woken) END;
END $$`,

    `CREATE OR REPLACE FUNCTION ${f('deliver_event')}(e jsonb, p_now bigint) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  v_name text := coalesce(e ->> 'name', '');
  v_payload jsonb := e -> 'payload';
  v_only text := e ->> 'runId';
  v_ids text[];
  v_runs text[];
  v_delivered jsonb;
BEGIN
  PERFORM pg_advisory_xact_lock(${f('event_lock')}(v_name));
  -- The distinct match-field sets of this name's open waits (a skip scan of the index), the
  -- payload's projection on each, then the waits with exactly that projection.
  WITH RECURSIVE fields (v) AS (
    SELECT min(wait_fields) FROM ${n.tasks}
    WHERE wait_open AND wait_kind = 'event' AND wait_name = v_name
    UNION ALL
    SELECT (SELECT min(wait_fields) FROM ${n.tasks}
      WHERE wait_open AND wait_kind = 'event' AND wait_name = v_name AND wait_fields > fields.v)
    FROM fields WHERE fields.v IS NOT NULL
  ), keys AS (
    SELECT v, ${f('event_projection')}(v_payload, v) AS projection FROM fields WHERE v IS NOT NULL
  )
  SELECT array_agg(t.id), array_agg(DISTINCT t.run_id) INTO v_ids, v_runs
  FROM keys JOIN ${n.tasks} t ON t.wait_open AND t.wait_kind = 'event' AND t.wait_name = v_name
    AND t.wait_fields = keys.v AND t.wait_key = md5(keys.projection::text)
  WHERE keys.projection IS NOT NULL AND coalesce(t.wait -> 'match', '{}'::jsonb) = keys.projection
    AND NOT t.parked AND t.available_at > p_now AND (v_only IS NULL OR t.run_id = v_only);
  IF v_ids IS NOT NULL THEN
    -- Runs before tasks, in id order, as every other writer locks them.
    PERFORM 1 FROM ${n.runs} WHERE id = ANY (v_runs) ORDER BY id FOR NO KEY UPDATE;
    WITH resolved AS (
      UPDATE ${n.tasks} t SET wait = t.wait || jsonb_build_object('resolution',
          jsonb_build_object('type', 'event', 'eventId', e ->> 'id', 'at', p_now)
          || CASE WHEN v_payload IS NULL THEN '{}'::jsonb
             ELSE jsonb_build_object('payload', v_payload) END),
        wait_open = false, available_at = p_now
      WHERE t.id = ANY (v_ids) AND t.wait_open AND NOT t.parked AND t.available_at > p_now
        AND EXISTS (SELECT 1 FROM ${n.runs} r WHERE r.id = t.run_id AND r.status NOT IN ${terminal})
      RETURNING t AS task
    ), woken AS (
      UPDATE ${n.runs} SET status = 'running'
      WHERE id IN (SELECT (task).run_id FROM resolved) AND status = 'suspended'
    )
    SELECT jsonb_agg(${f('task_json')}(task) ORDER BY (task).seq) INTO v_delivered FROM resolved;
  END IF;
  IF v_delivered IS NULL THEN
    -- Kept only when it expires after both now and its arrival.
    IF (e -> 'expiresAt')::bigint > greatest(p_now, (e -> 'receivedAt')::bigint) THEN
      INSERT INTO ${n.events} (id, name, payload, run_id, received_at, expires_at)
      VALUES (e ->> 'id', v_name, v_payload, v_only, (e -> 'receivedAt')::bigint,
        (e -> 'expiresAt')::bigint)
      ON CONFLICT DO NOTHING;
    END IF;
    RETURN '[]'::jsonb;
  END IF;
  RETURN v_delivered;
END $$`,

    `CREATE OR REPLACE FUNCTION ${f('resolve_wait')}(c jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  v_run text := c ->> 'runId';
  v_now bigint := (c -> 'now')::bigint;
  v_status text;
  t ${n.tasks};
BEGIN
  SELECT status INTO v_status FROM ${n.runs} WHERE id = v_run FOR NO KEY UPDATE;
  IF NOT FOUND THEN RETURN '{"status":"not-found"}'::jsonb; END IF;
  IF v_status IN ${terminal} THEN
    RETURN jsonb_build_object('status', 'run-ended',
      'run', (SELECT ${f('run_json')}(r) FROM ${n.runs} r WHERE r.id = v_run));
  END IF;
  SELECT * INTO t FROM ${n.tasks}
  WHERE run_id = v_run AND wait_open AND wait_kind = c ->> 'kind' AND NOT parked
    AND available_at > v_now
    AND (NOT c ? 'name' OR wait_name = c ->> 'name') AND (NOT c ? 'key' OR key = c ->> 'key')
  ORDER BY key LIMIT 1 FOR UPDATE;
  IF NOT FOUND THEN RETURN '{"status":"not-waiting"}'::jsonb; END IF;
  UPDATE ${n.tasks} SET wait = wait || jsonb_build_object('resolution', c -> 'resolution'),
    wait_open = false, available_at = v_now
  WHERE id = t.id RETURNING * INTO t;
  UPDATE ${n.runs} SET status = 'running' WHERE id = v_run AND status = 'suspended';
  RETURN jsonb_build_object('status', 'resolved', 'task', ${f('task_json')}(t));
END $$`,

    `CREATE OR REPLACE FUNCTION ${f('reopen_run')}(c jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  v_run text := c ->> 'runId';
  v_now bigint := (c -> 'now')::bigint;
  v_status text;
  v_ids text[];
  v_tasks jsonb;
BEGIN
  IF jsonb_path_exists(c, '$.tasks[*].wait ? (@.kind == "event" && !exists(@.resolution))') THEN
    PERFORM ${f('lock_event_names')}(c -> 'tasks');
  END IF;
  SELECT status INTO v_status FROM ${n.runs} WHERE id = v_run FOR NO KEY UPDATE;
  IF NOT FOUND THEN RETURN '{"status":"not-found"}'::jsonb; END IF;
  IF v_status <> 'failed' THEN
    RETURN jsonb_build_object('status', 'not-failed',
      'run', (SELECT ${f('run_json')}(r) FROM ${n.runs} r WHERE r.id = v_run));
  END IF;
  DELETE FROM ${n.steps} WHERE run_id = v_run AND status = 'failed';
  UPDATE ${n.tasks} SET parked = false WHERE run_id = v_run AND parked;
  -- A replaced task keeps the larger fence: fences never go back, so a worker still holding
  -- the old claim can never commit over the new one.
  WITH replaced AS (
    DELETE FROM ${n.tasks} WHERE run_id = v_run
      AND id IN (SELECT e ->> 'id' FROM jsonb_array_elements(c -> 'tasks') e)
    RETURNING id, fence)
  SELECT jsonb_agg(CASE WHEN replaced.fence > (x.e -> 'fence')::bigint
      THEN jsonb_set(x.e, '{fence}', to_jsonb(replaced.fence)) ELSE x.e END ORDER BY x.ord)
  INTO v_tasks
  FROM jsonb_array_elements(c -> 'tasks') WITH ORDINALITY AS x (e, ord)
  LEFT JOIN replaced ON replaced.id = x.e ->> 'id';
  UPDATE ${n.runs} SET status = 'running', error = NULL, output = NULL, ended_at = NULL,
    updated_at = v_now
  WHERE id = v_run;
  IF v_tasks IS NOT NULL THEN
    SELECT array_agg(i.task_id ORDER BY i.ord) FILTER (WHERE i.event_wait)
    INTO v_ids FROM ${f('insert_tasks')}(v_tasks) i;
    IF v_ids IS NOT NULL THEN PERFORM ${f('take_inbox')}(v_ids, v_now); END IF;
  END IF;
  PERFORM ${f('derive_status')}(v_run);
  RETURN jsonb_build_object('status', 'reopened',
    'run', (SELECT ${f('run_json')}(r) FROM ${n.runs} r WHERE r.id = v_run));
END $$`,

    `CREATE OR REPLACE FUNCTION ${f('purge_runs')}(c jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  v_before bigint := (c -> 'endedBefore')::bigint;
  v_keep integer := (c -> 'keepLast')::integer;
  v_workflow text := c ->> 'workflowId';
  v_limit integer := (c -> 'limit')::integer;
  v_ids text[];
  v_runs integer;
  v_events integer;
BEGIN
  -- keepLast: per workflow (every workflow with ended runs, found by a skip scan), the newest
  -- run beyond the newest N bounds the runs to delete, oldest first.
  WITH RECURSIVE workflows (id) AS (
    SELECT CASE WHEN v_workflow IS NOT NULL THEN v_workflow
      ELSE (SELECT min(workflow_id) FROM ${n.runs} WHERE status IN ${terminal}) END
    UNION ALL
    SELECT (SELECT min(workflow_id) FROM ${n.runs}
      WHERE status IN ${terminal} AND workflow_id > workflows.id)
    FROM workflows WHERE workflows.id IS NOT NULL AND v_workflow IS NULL
  ), beyond AS (
    SELECT doomed.id, doomed.ended FROM workflows
    CROSS JOIN LATERAL (
      SELECT coalesce(ended_at, 0) AS ended, id FROM ${n.runs}
      WHERE workflow_id = workflows.id AND status IN ${terminal}
      ORDER BY coalesce(ended_at, 0) DESC, id DESC OFFSET v_keep LIMIT 1) bound
    CROSS JOIN LATERAL (
      SELECT id, coalesce(ended_at, 0) AS ended FROM ${n.runs}
      WHERE workflow_id = workflows.id AND status IN ${terminal}
        AND (coalesce(ended_at, 0), id) <= (bound.ended, bound.id)
      ORDER BY coalesce(ended_at, 0), id LIMIT v_limit) doomed
    WHERE v_keep IS NOT NULL AND workflows.id IS NOT NULL
  ), old AS (
    SELECT id, coalesce(ended_at, 0) AS ended FROM ${n.runs}
    WHERE v_before IS NOT NULL AND status IN ${terminal} AND coalesce(ended_at, 0) < v_before
      AND (v_workflow IS NULL OR workflow_id = v_workflow)
    ORDER BY coalesce(ended_at, 0), id LIMIT v_limit
  )
  SELECT array_agg(id) INTO v_ids FROM (
    SELECT id, ended FROM beyond UNION SELECT id, ended FROM old
    ORDER BY ended, id LIMIT v_limit) chosen;
  IF v_ids IS NOT NULL THEN
    -- A run another call is deleting right now is left to it.
    SELECT array_agg(id) INTO v_ids FROM (
      SELECT id FROM ${n.runs} WHERE id = ANY (v_ids) AND status IN ${terminal}
      ORDER BY id FOR UPDATE SKIP LOCKED) locked;
  END IF;
  v_runs := coalesce(cardinality(v_ids), 0);
  IF v_runs > 0 THEN
    DELETE FROM ${n.scopeResults} WHERE run_id = ANY (v_ids);
    DELETE FROM ${n.scopes} WHERE run_id = ANY (v_ids);
    DELETE FROM ${n.steps} WHERE run_id = ANY (v_ids);
    DELETE FROM ${n.tasks} WHERE run_id = ANY (v_ids);
    DELETE FROM ${n.runs} WHERE id = ANY (v_ids);
  END IF;
  DELETE FROM ${n.events} WHERE expires_at <= (c -> 'now')::bigint;
  GET DIAGNOSTICS v_events = ROW_COUNT;
  RETURN jsonb_build_object('runs', v_runs, 'events', v_events);
END $$`,
  ]
}
