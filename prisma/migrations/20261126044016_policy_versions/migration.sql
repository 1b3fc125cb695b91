-- CreateEnum
CREATE TYPE "PolicyVersionStatus" AS ENUM ('proposed', 'active', 'superseded', 'rejected');

-- CreateTable
CREATE TABLE "policy_versions" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "status" "PolicyVersionStatus" NOT NULL,
    "proposed_by" TEXT NOT NULL,
    "approved_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "activated_at" TIMESTAMPTZ(3),

    CONSTRAINT "policy_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "policy_decision_log" (
    "id" BIGSERIAL NOT NULL,
    "tenant_id" UUID NOT NULL,
    "request" JSONB NOT NULL,
    "decision" TEXT NOT NULL,
    "determining_policies" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "policy_decision_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "policy_versions_tenant_id_status_idx" ON "policy_versions"("tenant_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "policy_versions_tenant_id_version_key" ON "policy_versions"("tenant_id", "version");

-- CreateIndex
CREATE INDEX "policy_decision_log_tenant_id_id_idx" ON "policy_decision_log"("tenant_id", "id");

-- AddForeignKey
ALTER TABLE "policy_versions" ADD CONSTRAINT "policy_versions_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "policy_decision_log" ADD CONSTRAINT "policy_decision_log_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------
-- Hand-written below this line: what Prisma cannot model (partial unique index, checks, grants, RLS).
-- ---------------------------------------------------------------------------

-- At most one active version per tenant, whatever the code does: a second concurrent activation
-- fails here instead of leaving two active versions.
CREATE UNIQUE INDEX "policy_versions_one_active_per_tenant" ON "policy_versions"("tenant_id") WHERE "status" = 'active';
ALTER TABLE "policy_versions" ADD CONSTRAINT "policy_versions_version_positive" CHECK ("version" > 0);
ALTER TABLE "policy_decision_log" ADD CONSTRAINT "policy_decision_log_decision_valid" CHECK ("decision" IN ('allow', 'deny'));

GRANT SELECT, INSERT, UPDATE ON "policy_versions" TO switchyard_app;
GRANT SELECT, INSERT, DELETE ON "policy_decision_log" TO switchyard_app;
GRANT USAGE, SELECT ON SEQUENCE "policy_decision_log_id_seq" TO switchyard_app;

ALTER TABLE "policy_versions" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "policy_versions" FORCE ROW LEVEL SECURITY;
CREATE POLICY "policy_versions_tenant_isolation" ON "policy_versions"
  USING ("tenant_id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));

ALTER TABLE "policy_decision_log" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "policy_decision_log" FORCE ROW LEVEL SECURITY;
CREATE POLICY "policy_decision_log_tenant_isolation" ON "policy_decision_log"
  USING ("tenant_id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));
