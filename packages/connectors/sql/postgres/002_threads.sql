CREATE TABLE IF NOT EXISTS "public"."tessera_threads" (
  id text COLLATE "C" PRIMARY KEY,
  last_seq bigint NOT NULL,
  summary jsonb,
  summary_through bigint,
  summary_at bigint,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);

CREATE TABLE IF NOT EXISTS "public"."tessera_messages" (
  thread_id text COLLATE "C" NOT NULL,
  seq bigint NOT NULL,
  message jsonb NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (thread_id, seq)
);

CREATE OR REPLACE FUNCTION "public"."tessera_append_thread"(p_id text, p_messages jsonb, p_now bigint)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_count integer := jsonb_array_length(p_messages);
  v_last bigint;
BEGIN
  IF v_count = 0 THEN
    SELECT last_seq INTO v_last FROM "public"."tessera_threads" WHERE id = p_id;
    RETURN coalesce(v_last, 0);
  END IF;
  INSERT INTO "public"."tessera_threads" AS t (id, last_seq, created_at, updated_at)
  VALUES (p_id, v_count, p_now, p_now)
  ON CONFLICT (id) DO UPDATE SET last_seq = t.last_seq + excluded.last_seq,
    updated_at = excluded.updated_at
  RETURNING t.last_seq INTO v_last;
  INSERT INTO "public"."tessera_messages" (thread_id, seq, message, created_at)
  SELECT p_id, v_last - v_count + x.ord, x.e, p_now
  FROM jsonb_array_elements(p_messages) WITH ORDINALITY AS x (e, ord);
  RETURN v_last;
END $$;

CREATE OR REPLACE FUNCTION "public"."tessera_summarize_thread"(p_id text, p_summary jsonb,
  p_through bigint, p_now bigint)
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "public"."tessera_threads" SET summary = p_summary, summary_through = p_through, summary_at = p_now,
    updated_at = p_now
  WHERE id = p_id AND last_seq >= p_through
    AND (summary_through IS NULL OR summary_through < p_through);
  IF NOT FOUND THEN RETURN 'stale'; END IF;
  DELETE FROM "public"."tessera_messages" WHERE thread_id = p_id AND seq <= p_through;
  RETURN 'summarized';
END $$;

CREATE OR REPLACE FUNCTION "public"."tessera_delete_thread"(p_id text)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  v_found boolean;
BEGIN
  DELETE FROM "public"."tessera_threads" WHERE id = p_id;
  v_found := FOUND;
  DELETE FROM "public"."tessera_messages" WHERE thread_id = p_id;
  RETURN v_found;
END $$;

CREATE OR REPLACE FUNCTION "public"."tessera_thread_json"(t "public"."tessera_threads") RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('threadId', t.id, 'lastSeq', t.last_seq, 'createdAt', t.created_at,
      'updatedAt', t.updated_at,
      'messages', coalesce((SELECT jsonb_agg(jsonb_build_object('seq', m.seq,
          'message', m.message, 'createdAt', m.created_at) ORDER BY m.seq)
        FROM "public"."tessera_messages" m WHERE m.thread_id = t.id), '[]'::jsonb))
    || CASE WHEN t.summary_through IS NULL THEN '{}'::jsonb
       ELSE jsonb_strip_nulls(jsonb_build_object('summaryThrough', t.summary_through,
         'summaryAt', t.summary_at))
         || CASE WHEN t.summary IS NULL THEN '{}'::jsonb
            ELSE jsonb_build_object('summary', t.summary) END END
$$;

INSERT INTO "public"."tessera_meta" AS meta (key, value) VALUES ('schema_version', 2)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE meta.value < excluded.value;
