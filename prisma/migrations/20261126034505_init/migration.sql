-- CreateEnum
CREATE TYPE "Role" AS ENUM ('platform_admin', 'tenant_admin', 'operator', 'viewer');

-- CreateTable
CREATE TABLE "tenants" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tenants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "members" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "subject" TEXT NOT NULL,
    "email" TEXT,
    "role" "Role" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "members_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "scopes" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "price_book_versions" (
    "version" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "price_book_versions_pkey" PRIMARY KEY ("version")
);

-- CreateTable
CREATE TABLE "model_prices" (
    "version" INTEGER NOT NULL,
    "model" TEXT NOT NULL,
    "input_per_1k_micros" BIGINT NOT NULL,
    "output_per_1k_micros" BIGINT NOT NULL,

    CONSTRAINT "model_prices_pkey" PRIMARY KEY ("version","model")
);

-- CreateTable
CREATE TABLE "usage_events" (
    "request_id" TEXT NOT NULL,
    "tenant_id" UUID NOT NULL,
    "api_key_id" UUID,
    "model" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "prompt_tokens" INTEGER NOT NULL,
    "completion_tokens" INTEGER NOT NULL,
    "price_book_version" INTEGER NOT NULL,
    "cost_micros" BIGINT NOT NULL,
    "latency_ms" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "usage_events_pkey" PRIMARY KEY ("request_id")
);

-- CreateTable
CREATE TABLE "cost_rollups" (
    "tenant_id" UUID NOT NULL,
    "bucket_start" TIMESTAMPTZ(3) NOT NULL,
    "model" TEXT NOT NULL,
    "requests" INTEGER NOT NULL,
    "prompt_tokens" BIGINT NOT NULL,
    "completion_tokens" BIGINT NOT NULL,
    "cost_micros" BIGINT NOT NULL,

    CONSTRAINT "cost_rollups_pkey" PRIMARY KEY ("tenant_id","bucket_start","model")
);

-- CreateIndex
CREATE UNIQUE INDEX "tenants_slug_key" ON "tenants"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "members_tenant_id_subject_key" ON "members"("tenant_id", "subject");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_hash_key" ON "api_keys"("hash");

-- CreateIndex
CREATE INDEX "api_keys_tenant_id_idx" ON "api_keys"("tenant_id");

-- CreateIndex
CREATE INDEX "usage_events_tenant_id_created_at_idx" ON "usage_events"("tenant_id", "created_at");

-- AddForeignKey
ALTER TABLE "members" ADD CONSTRAINT "members_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_prices" ADD CONSTRAINT "model_prices_version_fkey" FOREIGN KEY ("version") REFERENCES "price_book_versions"("version") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------
-- Hand-written below this line: what Prisma cannot model (roles, grants, RLS, functions).
-- ---------------------------------------------------------------------------

-- The services' role. They connect as whatever user the deployment gives them (the
-- superuser on PGlite and in development) and switch to this non-owner role in every
-- transaction (SET LOCAL ROLE), so row-level security applies to them everywhere.
-- Roles are cluster-wide: creation is idempotent and tolerates a concurrent creator.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'switchyard_app') THEN
    CREATE ROLE switchyard_app NOLOGIN;
  END IF;
EXCEPTION
  WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

GRANT USAGE ON SCHEMA public TO switchyard_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON "tenants", "members", "api_keys", "usage_events", "cost_rollups" TO switchyard_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON "price_book_versions", "model_prices" TO switchyard_app;

-- Tenant-scoped tables: a row is visible and writable only inside a transaction whose
-- app.tenant_id (set_config(..., true)) names its tenant. Unset means no rows.
ALTER TABLE "members" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "members" FORCE ROW LEVEL SECURITY;
CREATE POLICY "members_tenant_isolation" ON "members"
  USING ("tenant_id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));

ALTER TABLE "api_keys" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "api_keys" FORCE ROW LEVEL SECURITY;
CREATE POLICY "api_keys_tenant_isolation" ON "api_keys"
  USING ("tenant_id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));

ALTER TABLE "usage_events" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "usage_events" FORCE ROW LEVEL SECURITY;
CREATE POLICY "usage_events_tenant_isolation" ON "usage_events"
  USING ("tenant_id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));

ALTER TABLE "cost_rollups" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "cost_rollups" FORCE ROW LEVEL SECURITY;
CREATE POLICY "cost_rollups_tenant_isolation" ON "cost_rollups"
  USING ("tenant_id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));

-- A tenant sees its own row; the platform scope (app.scope = 'platform') sees and creates all.
ALTER TABLE "tenants" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "tenants" FORCE ROW LEVEL SECURITY;
CREATE POLICY "tenants_own_or_platform" ON "tenants"
  USING ("id"::text = current_setting('app.tenant_id', true) OR current_setting('app.scope', true) = 'platform')
  WITH CHECK ("id"::text = current_setting('app.tenant_id', true) OR current_setting('app.scope', true) = 'platform');

-- The price book is public reference data: everyone reads it, only the platform scope writes it.
ALTER TABLE "price_book_versions" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "price_book_versions" FORCE ROW LEVEL SECURITY;
CREATE POLICY "price_book_versions_read_all" ON "price_book_versions" FOR SELECT USING (true);
CREATE POLICY "price_book_versions_platform_write" ON "price_book_versions"
  USING (current_setting('app.scope', true) = 'platform')
  WITH CHECK (current_setting('app.scope', true) = 'platform');

ALTER TABLE "model_prices" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "model_prices" FORCE ROW LEVEL SECURITY;
CREATE POLICY "model_prices_read_all" ON "model_prices" FOR SELECT USING (true);
CREATE POLICY "model_prices_platform_write" ON "model_prices"
  USING (current_setting('app.scope', true) = 'platform')
  WITH CHECK (current_setting('app.scope', true) = 'platform');

-- The data plane resolves an API key from its hash before it knows the tenant, so this one
-- lookup runs as the function's owner (the migrating user, who bypasses RLS) and returns only
-- what authentication needs. search_path is pinned so callers cannot shadow api_keys.
CREATE FUNCTION switchyard_resolve_api_key(p_hash text)
RETURNS TABLE (id uuid, tenant_id uuid, scopes text[], expires_at timestamptz, revoked_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
  SELECT k."id", k."tenant_id", k."scopes", k."expires_at"::timestamptz, k."revoked_at"::timestamptz
  FROM "api_keys" k
  WHERE k."hash" = p_hash
$$;
REVOKE ALL ON FUNCTION switchyard_resolve_api_key(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION switchyard_resolve_api_key(text) TO switchyard_app;
