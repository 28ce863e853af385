import type { PostgresNames } from './postgres-migrations'

/**
 * Schema version 1 → 2: conversation threads. A thread's row counts its messages (`last_seq`)
 * and holds its summary; its messages are numbered rows of JSONB. Every write is one PL/pgSQL
 * function (one round trip) that locks the thread's row before it touches a message, so
 * concurrent appends take numbers one after the other, and a summary or a delete never misses
 * a message appended at the same time. Each statement is idempotent.
 */
export function threadMigrations(n: PostgresNames): string[] {
  const f = n.of
  return [
    `CREATE TABLE IF NOT EXISTS ${n.threads} (
  id text COLLATE "C" PRIMARY KEY,
  last_seq bigint NOT NULL,
  summary jsonb,
  summary_through bigint,
  summary_at bigint,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
)`,
    `CREATE TABLE IF NOT EXISTS ${n.messages} (
  thread_id text COLLATE "C" NOT NULL,
  seq bigint NOT NULL,
  message jsonb NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (thread_id, seq)
)`,

    // Creates the thread or counts last_seq on (the upsert locks its row), then inserts the
    // messages under the numbers it took. An empty array writes nothing.
    `CREATE OR REPLACE FUNCTION ${f('append_thread')}(p_id text, p_messages jsonb, p_now bigint)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_count integer := jsonb_array_length(p_messages);
  v_last bigint;
BEGIN
  IF v_count = 0 THEN
    SELECT last_seq INTO v_last FROM ${n.threads} WHERE id = p_id;
    RETURN coalesce(v_last, 0);
  END IF;
  INSERT INTO ${n.threads} AS t (id, last_seq, created_at, updated_at)
  VALUES (p_id, v_count, p_now, p_now)
  ON CONFLICT (id) DO UPDATE SET last_seq = t.last_seq + excluded.last_seq,
    updated_at = excluded.updated_at
  RETURNING t.last_seq INTO v_last;
  INSERT INTO ${n.messages} (thread_id, seq, message, created_at)
  SELECT p_id, v_last - v_count + x.ord, x.e, p_now
  FROM jsonb_array_elements(p_messages) WITH ORDINALITY AS x (e, ord);
  RETURN v_last;
END $$`,

    // The summary's check is the UPDATE's condition (re-checked on the locked row when another
    // summary got there first); the messages it replaces go after it.
    `CREATE OR REPLACE FUNCTION ${f('summarize_thread')}(p_id text, p_summary jsonb,
  p_through bigint, p_now bigint)
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  UPDATE ${n.threads} SET summary = p_summary, summary_through = p_through, summary_at = p_now,
    updated_at = p_now
  WHERE id = p_id AND last_seq >= p_through
    AND (summary_through IS NULL OR summary_through < p_through);
  IF NOT FOUND THEN RETURN 'stale'; END IF;
  DELETE FROM ${n.messages} WHERE thread_id = p_id AND seq <= p_through;
  RETURN 'summarized';
END $$`,

    // The thread's row first: an append in flight finishes (and its messages are deleted too),
    // or waits and starts a new thread.
    `CREATE OR REPLACE FUNCTION ${f('delete_thread')}(p_id text)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  v_found boolean;
BEGIN
  DELETE FROM ${n.threads} WHERE id = p_id;
  v_found := FOUND;
  DELETE FROM ${n.messages} WHERE thread_id = p_id;
  RETURN v_found;
END $$`,

    `CREATE OR REPLACE FUNCTION ${f('thread_json')}(t ${n.threads}) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('threadId', t.id, 'lastSeq', t.last_seq, 'createdAt', t.created_at,
      'updatedAt', t.updated_at,
      'messages', coalesce((SELECT jsonb_agg(jsonb_build_object('seq', m.seq,
          'message', m.message, 'createdAt', m.created_at) ORDER BY m.seq)
        FROM ${n.messages} m WHERE m.thread_id = t.id), '[]'::jsonb))
    || CASE WHEN t.summary_through IS NULL THEN '{}'::jsonb
       ELSE jsonb_strip_nulls(jsonb_build_object('summaryThrough', t.summary_through,
         'summaryAt', t.summary_at))
         || CASE WHEN t.summary IS NULL THEN '{}'::jsonb
            ELSE jsonb_build_object('summary', t.summary) END END
$$`,

    `INSERT INTO ${n.meta} AS meta (key, value) VALUES ('schema_version', 2)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE meta.value < excluded.value`,
  ]
}
