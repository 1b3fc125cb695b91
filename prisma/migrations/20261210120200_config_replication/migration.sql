-- CreateTable
CREATE TABLE "config_changes" (
    "seq" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "tenant_id" UUID,
    "previous_home" TEXT,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "config_changes_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "config_deltas_out" (
    "version" BIGINT NOT NULL,
    "key_id" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "config_deltas_out_pkey" PRIMARY KEY ("version")
);

-- CreateTable
CREATE TABLE "config_replication_cursors" (
    "region" TEXT NOT NULL,
    "version" BIGINT NOT NULL,
    "applied_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "config_replication_cursors_pkey" PRIMARY KEY ("region")
);

-- ---------------------------------------------------------------------------
-- Hand-written below this line: capture triggers, grants, RLS (DESIGN.md §10, "Global configuration").
-- ---------------------------------------------------------------------------
--
-- Configuration that must be known in every region (a tenant's settings, its API keys' hashes, its
-- policy versions and routes; the price book) is captured here, by triggers, in the same
-- transaction as the change: whoever writes (a subgraph, a migration, psql), the change row commits
-- or rolls back with it. A row only says *what* changed; the coordinator reads the state at the
-- time it signs, so several changes of one row collapse into one up-to-date op. Applying a peer's
-- delta sets switchyard.replicating = on in its transaction, so replicated rows are not captured
-- again (the receiving region is not their writer).

ALTER TABLE "config_changes" ADD CONSTRAINT "config_changes_kind_valid"
  CHECK ("kind" IN ('tenant', 'api_key', 'policy_version', 'route', 'price_book'));
CREATE INDEX "config_deltas_out_created_at_idx" ON "config_deltas_out"("created_at");

CREATE FUNCTION switchyard_config_capture() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
  r record;
BEGIN
  IF coalesce(current_setting('switchyard.replicating', true), '') = 'on' THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
  IF TG_TABLE_NAME = 'tenants' THEN
    IF TG_OP = 'INSERT' THEN
      INSERT INTO "config_changes" ("kind", "entity_id", "tenant_id") VALUES ('tenant', r."id"::text, r."id");
    ELSE
      INSERT INTO "config_changes" ("kind", "entity_id", "tenant_id", "previous_home") VALUES ('tenant', r."id"::text, r."id", OLD."home_region");
    END IF;
    -- A tenant unpinned or moved: everything of it is (re)published by its home; pinned: the
    -- receivers drop its policies and routes when the tenant row arrives.
    IF TG_OP = 'UPDATE' AND (OLD."region_pinned" IS DISTINCT FROM NEW."region_pinned" OR OLD."home_region" IS DISTINCT FROM NEW."home_region") THEN
      INSERT INTO "config_changes" ("kind", "entity_id", "tenant_id")
        SELECT 'api_key', k."id"::text, k."tenant_id" FROM "api_keys" k WHERE k."tenant_id" = NEW."id"
        UNION ALL SELECT 'policy_version', p."id"::text, p."tenant_id" FROM "policy_versions" p WHERE p."tenant_id" = NEW."id"
        UNION ALL SELECT 'route', t."id"::text, t."tenant_id" FROM "routes" t WHERE t."tenant_id" = NEW."id";
    END IF;
  ELSIF TG_TABLE_NAME = 'api_keys' THEN
    INSERT INTO "config_changes" ("kind", "entity_id", "tenant_id") VALUES ('api_key', r."id"::text, r."tenant_id");
  ELSIF TG_TABLE_NAME = 'policy_versions' THEN
    INSERT INTO "config_changes" ("kind", "entity_id", "tenant_id") VALUES ('policy_version', r."id"::text, r."tenant_id");
  ELSIF TG_TABLE_NAME = 'routes' THEN
    INSERT INTO "config_changes" ("kind", "entity_id", "tenant_id") VALUES ('route', r."id"::text, r."tenant_id");
  ELSIF TG_TABLE_NAME IN ('price_book_versions', 'model_prices') THEN
    INSERT INTO "config_changes" ("kind", "entity_id") VALUES ('price_book', r."version"::text);
  END IF;
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION switchyard_config_capture() FROM PUBLIC;

CREATE TRIGGER "tenants_config_capture" AFTER INSERT OR DELETE ON "tenants"
  FOR EACH ROW EXECUTE FUNCTION switchyard_config_capture();
CREATE TRIGGER "tenants_config_capture_update" AFTER UPDATE ON "tenants"
  FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION switchyard_config_capture();
CREATE TRIGGER "api_keys_config_capture" AFTER INSERT OR DELETE ON "api_keys"
  FOR EACH ROW EXECUTE FUNCTION switchyard_config_capture();
-- Not last_used_at: every replica touches it all the time, and it is the serving region's record.
CREATE TRIGGER "api_keys_config_capture_update"
  AFTER UPDATE OF "tenant_id", "name", "prefix", "hash", "scopes", "expires_at", "revoked_at" ON "api_keys"
  FOR EACH ROW
  WHEN ((OLD."tenant_id", OLD."name", OLD."prefix", OLD."hash", OLD."scopes", OLD."expires_at", OLD."revoked_at")
        IS DISTINCT FROM (NEW."tenant_id", NEW."name", NEW."prefix", NEW."hash", NEW."scopes", NEW."expires_at", NEW."revoked_at"))
  EXECUTE FUNCTION switchyard_config_capture();
CREATE TRIGGER "policy_versions_config_capture" AFTER INSERT OR UPDATE OR DELETE ON "policy_versions"
  FOR EACH ROW EXECUTE FUNCTION switchyard_config_capture();
CREATE TRIGGER "routes_config_capture" AFTER INSERT OR UPDATE OR DELETE ON "routes"
  FOR EACH ROW EXECUTE FUNCTION switchyard_config_capture();
CREATE TRIGGER "price_book_versions_config_capture" AFTER INSERT OR UPDATE OR DELETE ON "price_book_versions"
  FOR EACH ROW EXECUTE FUNCTION switchyard_config_capture();
CREATE TRIGGER "model_prices_config_capture" AFTER INSERT OR UPDATE OR DELETE ON "model_prices"
  FOR EACH ROW EXECUTE FUNCTION switchyard_config_capture();

-- Everything global, as change rows: the first publication after this migration (and a resync of a
-- peer that was away longer than the kept deltas) sends the whole configuration. The coordinator
-- keeps only what its region writes (tenants homed there; the price book in the platform's writer).
CREATE FUNCTION switchyard_config_enqueue_all() RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
  WITH queued AS (
    INSERT INTO "config_changes" ("kind", "entity_id", "tenant_id")
      SELECT 'tenant', t."id"::text, t."id" FROM "tenants" t WHERE t."home_region" IS NOT NULL
      UNION ALL SELECT 'api_key', k."id"::text, k."tenant_id" FROM "api_keys" k
      UNION ALL SELECT 'policy_version', p."id"::text, p."tenant_id" FROM "policy_versions" p
      UNION ALL SELECT 'route', r."id"::text, r."tenant_id" FROM "routes" r
      UNION ALL SELECT 'price_book', v."version"::text, NULL FROM "price_book_versions" v
    RETURNING 1
  )
  SELECT count(*)::integer FROM queued
$$;
REVOKE ALL ON FUNCTION switchyard_config_enqueue_all() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION switchyard_config_enqueue_all() TO switchyard_platform;
SELECT switchyard_config_enqueue_all();

-- Only the platform role (the coordinator) reads and consumes the changes and the deltas; the
-- tenant role has no privilege on these tables at all.
GRANT SELECT, DELETE ON "config_changes" TO switchyard_platform;
GRANT SELECT, INSERT, DELETE ON "config_deltas_out" TO switchyard_platform;
GRANT SELECT, INSERT, UPDATE ON "config_replication_cursors" TO switchyard_platform;
ALTER TABLE "config_changes" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "config_changes" FORCE ROW LEVEL SECURITY;
CREATE POLICY "config_changes_platform" ON "config_changes" TO switchyard_platform USING (true) WITH CHECK (true);
ALTER TABLE "config_deltas_out" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "config_deltas_out" FORCE ROW LEVEL SECURITY;
CREATE POLICY "config_deltas_out_platform" ON "config_deltas_out" TO switchyard_platform USING (true) WITH CHECK (true);
ALTER TABLE "config_replication_cursors" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "config_replication_cursors" FORCE ROW LEVEL SECURITY;
CREATE POLICY "config_replication_cursors_platform" ON "config_replication_cursors" TO switchyard_platform USING (true) WITH CHECK (true);

-- Applying a peer's delta replaces a replicated tenant's policy versions (a pinned tenant's are
-- dropped; a colliding local version gives way to the home's). Still under the tenant isolation
-- policy: the coordinator sets app.tenant_id to the tenant it applies.
GRANT DELETE ON "policy_versions" TO switchyard_platform;
