-- CreateTable
CREATE TABLE "request_log" (
    "tenant_id" UUID NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "request_id" TEXT NOT NULL,
    "client_request_id" TEXT,
    "api_key_id" UUID,
    "user_id" TEXT,
    "endpoint" TEXT NOT NULL,
    "route" TEXT,
    "model" TEXT,
    "provider" TEXT,
    "status" INTEGER NOT NULL,
    "error_code" TEXT,
    "refused" BOOLEAN NOT NULL,
    "latency_ms" INTEGER NOT NULL,
    "ttft_ms" INTEGER,
    "prompt_tokens" INTEGER NOT NULL,
    "completion_tokens" INTEGER NOT NULL,
    "cost_micros" BIGINT NOT NULL,
    "trace_id" TEXT,
    "decision" JSONB,
    "policy_decisions" JSONB NOT NULL,

    CONSTRAINT "request_log_pkey" PRIMARY KEY ("tenant_id","started_at","request_id")
) PARTITION BY RANGE ("started_at");

-- CreateIndex
CREATE INDEX "request_log_tenant_id_request_id_idx" ON "request_log"("tenant_id", "request_id");

-- CreateIndex
CREATE INDEX "request_log_tenant_id_trace_id_idx" ON "request_log"("tenant_id", "trace_id");

-- ---------------------------------------------------------------------------
-- Hand-written below: partitioning (Prisma models the parent only), RLS, the maintenance functions.
-- ---------------------------------------------------------------------------
--
-- Declarative range partitions by UTC day, named request_log_pYYYYMMDD, created ahead by the
-- request-log writer (switchyard_request_log_ensure_partitions) and dropped whole once older than
-- the longest retention. The primary key holds the partition key, so a replayed entry (same
-- request id, same started_at) lands in the same partition and conflicts: idempotent writes.
-- There is no default partition: a row for a day with no partition fails loudly instead of
-- piling up where attaching a new partition would have to scan it.

ALTER TABLE "request_log" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "request_log" FORCE ROW LEVEL SECURITY;
CREATE POLICY "request_log_tenant_isolation" ON "request_log"
  USING ("tenant_id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));
-- Privileges on the parent only: a partition is created without grants, so the tenant role can
-- reach rows only through the parent, where the policy above applies.
GRANT SELECT, INSERT ON "request_log" TO switchyard_app;

ALTER TABLE "request_log" ADD CONSTRAINT "request_log_status_http" CHECK ("status" BETWEEN 100 AND 599);
ALTER TABLE "request_log" ADD CONSTRAINT "request_log_non_negative"
  CHECK ("latency_ms" >= 0 AND ("ttft_ms" IS NULL OR "ttft_ms" >= 0) AND "prompt_tokens" >= 0 AND "completion_tokens" >= 0 AND "cost_micros" >= 0);

-- Creates the partitions of p_days UTC days from p_from (existing ones are left alone); returns how many it created.
CREATE FUNCTION switchyard_request_log_ensure_partitions(p_from date, p_days integer)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
  d date;
  created integer := 0;
  name text;
BEGIN
  IF p_days < 1 OR p_days > 31 THEN
    RAISE EXCEPTION 'p_days must be between 1 and 31';
  END IF;
  FOR i IN 0 .. p_days - 1 LOOP
    d := p_from + i;
    name := 'request_log_p' || to_char(d, 'YYYYMMDD');
    IF to_regclass(name) IS NULL THEN
      BEGIN
        EXECUTE format('CREATE TABLE %I PARTITION OF "request_log" FOR VALUES FROM (%L) TO (%L)',
          name, (d::timestamp AT TIME ZONE 'UTC'), ((d + 1)::timestamp AT TIME ZONE 'UTC'));
        created := created + 1;
      EXCEPTION
        -- Two writers creating the same day at once: the other one won, which is what we wanted.
        WHEN duplicate_table THEN NULL;
      END;
    END IF;
  END LOOP;
  RETURN created;
END
$$;

-- Retention: deletes each tenant's rows older than the retention of its data classification
-- (p_retention_days: classification -> days, from @switchyard/db/tenant-settings), then drops
-- partitions whose whole day is older than the longest retention. Returns the rows deleted.
CREATE FUNCTION switchyard_request_log_expire(p_now timestamptz, p_retention_days jsonb)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
  deleted bigint;
  longest integer;
  r record;
BEGIN
  SELECT max(value::integer) INTO longest FROM jsonb_each_text(p_retention_days);
  IF longest IS NULL OR longest < 1 THEN
    RAISE EXCEPTION 'p_retention_days must name at least one positive retention';
  END IF;
  FOR r IN
    SELECT c.relname
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'request_log'::regclass
      AND c.relname ~ '^request_log_p[0-9]{8}$'
      AND to_date(substr(c.relname, 14), 'YYYYMMDD') + 1 <= (p_now AT TIME ZONE 'UTC')::date - longest
  LOOP
    EXECUTE format('DROP TABLE %I', r.relname);
  END LOOP;
  DELETE FROM "request_log" l
  USING "tenants" t
  WHERE t."id" = l."tenant_id"
    AND l."started_at" < p_now - make_interval(days => COALESCE((p_retention_days ->> t."default_data_classification")::integer, longest));
  GET DIAGNOSTICS deleted = ROW_COUNT;
  RETURN deleted;
END
$$;

REVOKE ALL ON FUNCTION switchyard_request_log_ensure_partitions(date, integer) FROM PUBLIC, switchyard_app;
REVOKE ALL ON FUNCTION switchyard_request_log_expire(timestamptz, jsonb) FROM PUBLIC, switchyard_app;
GRANT EXECUTE ON FUNCTION switchyard_request_log_ensure_partitions(date, integer) TO switchyard_platform;
GRANT EXECUTE ON FUNCTION switchyard_request_log_expire(timestamptz, jsonb) TO switchyard_platform;
