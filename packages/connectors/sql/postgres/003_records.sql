CREATE TABLE IF NOT EXISTS "public"."tessera_records" (
  collection text COLLATE "C" NOT NULL,
  key text COLLATE "C" NOT NULL,
  value text NOT NULL,
  revision bigint NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (collection, key)
);

CREATE OR REPLACE FUNCTION "public"."tessera_record_json"(r "public"."tessera_records") RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('collection', r.collection, 'key', r.key, 'value', r.value,
    'revision', r.revision, 'createdAt', r.created_at, 'updatedAt', r.updated_at)
$$;

CREATE OR REPLACE FUNCTION "public"."tessera_put_record"(p_collection text, p_key text, p_value text,
  p_now bigint, p_expect bigint)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_row "public"."tessera_records";
BEGIN
  IF p_expect IS NULL THEN
    INSERT INTO "public"."tessera_records" AS r (collection, key, value, revision, created_at, updated_at)
    VALUES (p_collection, p_key, p_value, 1, p_now, p_now)
    ON CONFLICT (collection, key) DO UPDATE SET value = excluded.value,
      revision = r.revision + 1, updated_at = excluded.updated_at
    RETURNING * INTO v_row;
  ELSIF p_expect = 0 THEN
    INSERT INTO "public"."tessera_records" (collection, key, value, revision, created_at, updated_at)
    VALUES (p_collection, p_key, p_value, 1, p_now, p_now)
    ON CONFLICT (collection, key) DO NOTHING
    RETURNING * INTO v_row;
  ELSE
    UPDATE "public"."tessera_records" SET value = p_value, revision = revision + 1, updated_at = p_now
    WHERE collection = p_collection AND key = p_key AND revision = p_expect
    RETURNING * INTO v_row;
  END IF;
  IF FOUND THEN
    RETURN jsonb_build_object('status', 'written', 'record', "public"."tessera_record_json"(v_row));
  END IF;
  SELECT * INTO v_row FROM "public"."tessera_records" WHERE collection = p_collection AND key = p_key;
  IF NOT FOUND THEN RETURN '{"status":"conflict"}'::jsonb; END IF;
  RETURN jsonb_build_object('status', 'conflict', 'current', "public"."tessera_record_json"(v_row));
END $$;

INSERT INTO "public"."tessera_meta" AS meta (key, value) VALUES ('schema_version', 3)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE meta.value < excluded.value;
