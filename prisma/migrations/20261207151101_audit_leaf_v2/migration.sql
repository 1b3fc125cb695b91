-- AlterTable
ALTER TABLE "audit_entries" ADD COLUMN     "entry_mac" TEXT,
ADD COLUMN     "leaf_version" SMALLINT NOT NULL DEFAULT 1;


-- Hand-written below this line.
-- Leaf format 2 (see @switchyard/ledger AuditLeafVersion): the leaf commits to every stored field
-- (idempotency key, classification and payload key id too). Entries appended before this migration
-- keep leaf_version 1 and verify under the v1 rule; the appender sends `leafVersion` with the leaf
-- text it built (the database still only hashes head ‖ decimal(seq) ‖ tail) and it is stored per
-- entry. The service role cannot UPDATE it (only payload_ciphertext is granted), and the version
-- is inside the hashed text, so changing it breaks the entry's hash.
-- entry_mac: the appender's HMAC of the entry's leaf text (without the seq) under a key only the
-- services and `audit verify` hold; stored as sent. A chain rewritten by someone with write access
-- to this table keeps every hash consistent, but not the MAC of the entry that was changed.
-- The returned row gains o_leaf_version, so the function is dropped and recreated (same grants).
DROP FUNCTION switchyard_audit_append(jsonb);
CREATE FUNCTION switchyard_audit_append(p_entries jsonb)
RETURNS TABLE (
  o_created boolean,
  o_seq bigint,
  o_occurred_at timestamptz,
  o_tenant_id uuid,
  o_actor text,
  o_action text,
  o_subject_key text,
  o_data_classification text,
  o_payload_digest text,
  o_payload_ciphertext bytea,
  o_payload_key_id text,
  o_leaf_version smallint,
  o_entry_mac text,
  o_leaf_hash text,
  o_prev_hash text,
  o_entry_hash text,
  o_idempotency_key text
)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
  v_head bigint;
  v_prev text;
  v_positions bigint[];
  v_leaves bytea[];
  v_prevs text[];
  v_entries text[];
BEGIN
  IF current_setting('app.scope', true) IS DISTINCT FROM 'platform' THEN
    RAISE EXCEPTION 'only the platform scope appends to the audit log' USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM pg_advisory_xact_lock(7236518401);
  SELECT e."seq", e."entry_hash" INTO v_head, v_prev FROM "audit_entries" e ORDER BY e."seq" DESC LIMIT 1;
  IF NOT FOUND THEN
    v_head := -1;
    v_prev := repeat('0', 64);
  END IF;

  -- New entries (first occurrence of a key not yet in the log), in batch order, with leaf hashes.
  SELECT
    coalesce(array_agg(f.position ORDER BY f.position), '{}'),
    coalesce(array_agg(sha256('\x00'::bytea || decode(f.value->>'leafHead', 'base64') || convert_to((v_head + f.rank)::text, 'UTF8') || decode(f.value->>'leafTail', 'base64')) ORDER BY f.position), '{}')
  INTO v_positions, v_leaves
  FROM (
    SELECT n.position, n.value, row_number() OVER (ORDER BY n.position) AS rank
    FROM (
      SELECT t.position, t.value, row_number() OVER (PARTITION BY t.value->>'idempotencyKey' ORDER BY t.position) AS occurrence
      FROM jsonb_array_elements(p_entries) WITH ORDINALITY AS t(value, position)
    ) n
    WHERE n.occurrence = 1 AND NOT EXISTS (SELECT 1 FROM "audit_entries" e WHERE e."idempotency_key" = n.value->>'idempotencyKey')
  ) f;

  v_prevs := array_fill(NULL::text, ARRAY[cardinality(v_positions)]);
  v_entries := v_prevs;
  FOR i IN 1 .. cardinality(v_positions) LOOP
    v_prevs[i] := v_prev;
    v_prev := encode(sha256(decode(v_prev, 'hex') || v_leaves[i]), 'hex');
    v_entries[i] := v_prev;
  END LOOP;

  INSERT INTO "audit_entries" (
    "seq", "occurred_at", "tenant_id", "actor", "action", "subject_key", "data_classification",
    "payload_digest", "payload_ciphertext", "payload_key_id", "leaf_version", "entry_mac", "leaf_hash", "prev_hash", "entry_hash", "idempotency_key"
  )
  SELECT
    v_head + c.rank, (t.value->>'occurredAt')::timestamptz, (t.value->>'tenantId')::uuid, t.value->>'actor', t.value->>'action',
    t.value->>'subjectKey', t.value->>'dataClassification', t.value->>'payloadDigest',
    decode(t.value->>'payloadCiphertext', 'base64'), t.value->>'payloadKeyId', coalesce((t.value->>'leafVersion')::smallint, 1), t.value->>'entryMac',
    encode(c.leaf, 'hex'), c.prev, c.entry, t.value->>'idempotencyKey'
  FROM unnest(v_positions, v_leaves, v_prevs, v_entries) WITH ORDINALITY AS c(position, leaf, prev, entry, rank)
  JOIN jsonb_array_elements(p_entries) WITH ORDINALITY AS t(value, position) ON t.position = c.position
  ORDER BY c.rank;

  -- One row per input, in input order. The caller holds the ciphertext of what it created.
  RETURN QUERY
  SELECT c.position IS NOT NULL, e."seq", e."occurred_at", e."tenant_id", e."actor", e."action", e."subject_key",
    e."data_classification", e."payload_digest", CASE WHEN c.position IS NULL THEN e."payload_ciphertext" END,
    e."payload_key_id", e."leaf_version", e."entry_mac", e."leaf_hash", e."prev_hash", e."entry_hash", e."idempotency_key"
  FROM jsonb_array_elements(p_entries) WITH ORDINALITY AS t(value, position)
  JOIN "audit_entries" e ON e."idempotency_key" = t.value->>'idempotencyKey'
  LEFT JOIN unnest(v_positions) AS c(position) ON c.position = t.position
  ORDER BY t.position;
END
$$;
REVOKE ALL ON FUNCTION switchyard_audit_append(jsonb) FROM PUBLIC;
-- Callable by the platform role only (20261207150000_tenant_platform_roles): the tenant role never appends.
GRANT EXECUTE ON FUNCTION switchyard_audit_append(jsonb) TO switchyard_platform;
