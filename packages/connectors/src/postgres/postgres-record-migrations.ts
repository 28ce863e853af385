import type { PostgresNames } from './postgres-migrations'

/**
 * Schema version 2 → 3: keyed records, a row per collection and key. Keys are `COLLATE "C"`, so
 * they sort in the byte order of their UTF-8 as in every store, and the value is the JSON text
 * as written (`text`, not `jsonb`: it keeps `\u0000` and the order of object keys). A write is
 * one PL/pgSQL function (one round trip); its compare-and-set is the condition of its `UPDATE`
 * (re-checked on the locked row when another writer got there first) or an `INSERT … ON
 * CONFLICT DO NOTHING`, and a conflict reads the current row in a new snapshot, so it answers
 * with what the winner wrote. Each statement is idempotent.
 */
export function recordMigrations(n: PostgresNames): string[] {
  const f = n.of
  return [
    `CREATE TABLE IF NOT EXISTS ${n.records} (
  collection text COLLATE "C" NOT NULL,
  key text COLLATE "C" NOT NULL,
  value text NOT NULL,
  revision bigint NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (collection, key)
)`,

    `CREATE OR REPLACE FUNCTION ${f('record_json')}(r ${n.records}) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('collection', r.collection, 'key', r.key, 'value', r.value,
    'revision', r.revision, 'createdAt', r.created_at, 'updatedAt', r.updated_at)
$$`,

    // p_expect NULL: create or replace. 0: create only. n: replace revision n only.
    `CREATE OR REPLACE FUNCTION ${f('put_record')}(p_collection text, p_key text, p_value text,
  p_now bigint, p_expect bigint)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_row ${n.records};
BEGIN
  IF p_expect IS NULL THEN
    INSERT INTO ${n.records} AS r (collection, key, value, revision, created_at, updated_at)
    VALUES (p_collection, p_key, p_value, 1, p_now, p_now)
    ON CONFLICT (collection, key) DO UPDATE SET value = excluded.value,
      revision = r.revision + 1, updated_at = excluded.updated_at
    RETURNING * INTO v_row;
  ELSIF p_expect = 0 THEN
    INSERT INTO ${n.records} (collection, key, value, revision, created_at, updated_at)
    VALUES (p_collection, p_key, p_value, 1, p_now, p_now)
    ON CONFLICT (collection, key) DO NOTHING
    RETURNING * INTO v_row;
  ELSE
    UPDATE ${n.records} SET value = p_value, revision = revision + 1, updated_at = p_now
    WHERE collection = p_collection AND key = p_key AND revision = p_expect
    RETURNING * INTO v_row;
  END IF;
  IF FOUND THEN
    RETURN jsonb_build_object('status', 'written', 'record', ${f('record_json')}(v_row));
  END IF;
  SELECT * INTO v_row FROM ${n.records} WHERE collection = p_collection AND key = p_key;
  IF NOT FOUND THEN RETURN '{"status":"conflict"}'::jsonb; END IF;
  RETURN jsonb_build_object('status', 'conflict', 'current', ${f('record_json')}(v_row));
END $$`,

    `INSERT INTO ${n.meta} AS meta (key, value) VALUES ('schema_version', 3)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE meta.value < excluded.value`,
  ]
}
