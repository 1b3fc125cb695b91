-- The audit log's append path in one round trip (it was ~6 per batch in an interactive
-- transaction, serialized by the lock, so the lock was held across client round trips).
-- Runs as the caller: switchyard_app under RLS, so only the platform scope can insert, as before.
-- Under the same transaction-level advisory lock every appender takes, it reads the head, skips
-- idempotency keys already in the log (and repeats within the batch), and chains the rest:
--   leaf_hash  = SHA-256(0x00 ‖ leafHead ‖ decimal(seq) ‖ leafTail)   (RFC 9162 leaf)
--   entry_hash = SHA-256(prev_hash ‖ leaf_hash)
-- The canonical leaf text around the seq comes from the caller (auditLeafTextAroundSeq), so the
-- encoding is defined in one place; the caller re-checks every hash it gets back.
-- VOLATILE: each statement takes a fresh snapshot, so the head read after the lock sees the
-- previous holder's committed rows.
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
  o_leaf_hash text,
  o_prev_hash text,
  o_entry_hash text,
  o_idempotency_key text
)
LANGUAGE plpgsql VOLATILE
SET search_path = public, pg_temp
AS $$
DECLARE
  v_item jsonb;
  v_seq bigint;
  v_prev text;
  v_leaf bytea;
  v_row "audit_entries"%ROWTYPE;
BEGIN
  PERFORM pg_advisory_xact_lock(7236518401);
  SELECT e."seq", e."entry_hash" INTO v_seq, v_prev FROM "audit_entries" e ORDER BY e."seq" DESC LIMIT 1;
  IF NOT FOUND THEN
    v_seq := -1;
    v_prev := repeat('0', 64);
  END IF;
  FOR v_item IN SELECT t.value FROM jsonb_array_elements(p_entries) WITH ORDINALITY AS t(value, position) ORDER BY t.position LOOP
    SELECT * INTO v_row FROM "audit_entries" e WHERE e."idempotency_key" = v_item->>'idempotencyKey';
    IF FOUND THEN
      o_created := false;
      o_seq := v_row."seq"; o_occurred_at := v_row."occurred_at"; o_tenant_id := v_row."tenant_id";
      o_actor := v_row."actor"; o_action := v_row."action"; o_subject_key := v_row."subject_key";
      o_data_classification := v_row."data_classification"; o_payload_digest := v_row."payload_digest";
      o_payload_ciphertext := v_row."payload_ciphertext"; o_payload_key_id := v_row."payload_key_id";
      o_leaf_hash := v_row."leaf_hash"; o_prev_hash := v_row."prev_hash"; o_entry_hash := v_row."entry_hash";
      o_idempotency_key := v_row."idempotency_key";
      RETURN NEXT;
      CONTINUE;
    END IF;
    v_seq := v_seq + 1;
    v_leaf := sha256('\x00'::bytea || decode(v_item->>'leafHead', 'base64') || convert_to(v_seq::text, 'UTF8') || decode(v_item->>'leafTail', 'base64'));
    o_created := true;
    o_seq := v_seq;
    o_leaf_hash := encode(v_leaf, 'hex');
    o_prev_hash := v_prev;
    o_entry_hash := encode(sha256(decode(v_prev, 'hex') || v_leaf), 'hex');
    INSERT INTO "audit_entries" (
      "seq", "occurred_at", "tenant_id", "actor", "action", "subject_key", "data_classification",
      "payload_digest", "payload_ciphertext", "payload_key_id", "leaf_hash", "prev_hash", "entry_hash", "idempotency_key"
    ) VALUES (
      v_seq, (v_item->>'occurredAt')::timestamptz, (v_item->>'tenantId')::uuid, v_item->>'actor', v_item->>'action',
      v_item->>'subjectKey', v_item->>'dataClassification', v_item->>'payloadDigest',
      decode(v_item->>'payloadCiphertext', 'base64'), v_item->>'payloadKeyId',
      o_leaf_hash, o_prev_hash, o_entry_hash, v_item->>'idempotencyKey'
    )
    RETURNING "occurred_at", "tenant_id", "actor", "action", "subject_key", "data_classification", "payload_digest", "payload_key_id", "idempotency_key"
    INTO o_occurred_at, o_tenant_id, o_actor, o_action, o_subject_key, o_data_classification, o_payload_digest, o_payload_key_id, o_idempotency_key;
    -- The caller holds the ciphertext it sent; echoing it back would double the traffic.
    o_payload_ciphertext := NULL;
    RETURN NEXT;
    v_prev := o_entry_hash;
  END LOOP;
END
$$;
REVOKE ALL ON FUNCTION switchyard_audit_append(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION switchyard_audit_append(jsonb) TO switchyard_app;
