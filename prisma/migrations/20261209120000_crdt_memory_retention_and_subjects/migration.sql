-- Data-subject requests find a person's vector memories in every tenant (platform scope) by subject.
-- CreateIndex
CREATE INDEX "vector_memories_subject_idx" ON "vector_memories"("subject");

-- ---------------------------------------------------------------------------
-- Hand-written below this line: retention (what Prisma cannot model).
-- ---------------------------------------------------------------------------

-- Retention of the session window's snapshot (memory_sessions, memory_responses): deletes rows
-- past their TTL (`expires_at`) and rows older than the retention of their tenant's default data
-- classification (p_retention_days: classification -> days, from @switchyard/db/tenant-settings;
-- these rows carry no classification of their own). Returns the rows deleted.
CREATE FUNCTION switchyard_memory_window_expire(p_now timestamptz, p_retention_days jsonb)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
  sessions bigint;
  responses bigint;
  longest integer;
BEGIN
  SELECT max(value::integer) INTO longest FROM jsonb_each_text(p_retention_days);
  IF longest IS NULL OR longest < 1 THEN
    RAISE EXCEPTION 'p_retention_days must name at least one positive retention';
  END IF;
  DELETE FROM "memory_sessions" s
  USING "tenants" t
  WHERE t."id" = s."tenant_id"
    AND (s."expires_at" <= p_now
      OR s."updated_at" < p_now - make_interval(days => COALESCE((p_retention_days ->> t."default_data_classification")::integer, longest)));
  GET DIAGNOSTICS sessions = ROW_COUNT;
  DELETE FROM "memory_responses" r
  USING "tenants" t
  WHERE t."id" = r."tenant_id"
    AND (r."expires_at" <= p_now
      OR r."created_at" < p_now - make_interval(days => COALESCE((p_retention_days ->> t."default_data_classification")::integer, longest)));
  GET DIAGNOSTICS responses = ROW_COUNT;
  RETURN sessions + responses;
END
$$;

REVOKE ALL ON FUNCTION switchyard_memory_window_expire(timestamptz, jsonb) FROM PUBLIC, switchyard_app;
GRANT EXECUTE ON FUNCTION switchyard_memory_window_expire(timestamptz, jsonb) TO switchyard_platform;

-- Retention of vector memories: deletes memories older than the retention of their tenant's
-- default data classification. Returns one row per tenant that lost memories (the caller tells
-- the data-plane replicas to drop those tenants' in-process indexes) with how many.
CREATE FUNCTION switchyard_vector_memories_expire(p_now timestamptz, p_retention_days jsonb)
RETURNS TABLE (tenant_id uuid, deleted bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
  longest integer;
BEGIN
  SELECT max(value::integer) INTO longest FROM jsonb_each_text(p_retention_days);
  IF longest IS NULL OR longest < 1 THEN
    RAISE EXCEPTION 'p_retention_days must name at least one positive retention';
  END IF;
  RETURN QUERY
  WITH gone AS (
    DELETE FROM "vector_memories" v
    USING "tenants" t
    WHERE t."id" = v."tenant_id"
      AND v."created_at" < p_now - make_interval(days => COALESCE((p_retention_days ->> t."default_data_classification")::integer, longest))
    RETURNING v."tenant_id"
  )
  SELECT gone."tenant_id", count(*)::bigint FROM gone GROUP BY gone."tenant_id";
END
$$;

REVOKE ALL ON FUNCTION switchyard_vector_memories_expire(timestamptz, jsonb) FROM PUBLIC, switchyard_app;
GRANT EXECUTE ON FUNCTION switchyard_vector_memories_expire(timestamptz, jsonb) TO switchyard_platform;
