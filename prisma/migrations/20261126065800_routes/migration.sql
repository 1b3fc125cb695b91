-- CreateTable
CREATE TABLE "routes" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "definition" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_by" TEXT NOT NULL,
    "updated_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "routes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "routes_tenant_id_name_key" ON "routes"("tenant_id", "name");

-- AddForeignKey
ALTER TABLE "routes" ADD CONSTRAINT "routes_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------
-- Hand-written below this line: what Prisma cannot model (checks, grants, RLS).
-- ---------------------------------------------------------------------------

ALTER TABLE "routes" ADD CONSTRAINT "routes_version_positive" CHECK ("version" > 0);
ALTER TABLE "routes" ADD CONSTRAINT "routes_name_length" CHECK (char_length("name") BETWEEN 1 AND 256);

GRANT SELECT, INSERT, UPDATE, DELETE ON "routes" TO switchyard_app;

-- A tenant reads and writes its own routes; the platform scope may read every tenant's (each
-- data-plane replica loads all routes once at start-up) but never writes them.
ALTER TABLE "routes" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "routes" FORCE ROW LEVEL SECURITY;
CREATE POLICY "routes_tenant_isolation" ON "routes"
  USING ("tenant_id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));
CREATE POLICY "routes_platform_read" ON "routes" FOR SELECT
  USING (current_setting('app.scope', true) = 'platform');
