-- AlterTable
ALTER TABLE "routes" ADD COLUMN "pinned_version" INTEGER;

-- CreateTable
CREATE TABLE "route_versions" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "route_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "definition" JSONB NOT NULL,
    "reason" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "route_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "experiments" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "route_id" UUID NOT NULL,
    "route_name" TEXT NOT NULL,
    "challenger" JSONB NOT NULL,
    "mode" TEXT NOT NULL,
    "percent" DOUBLE PRECISION NOT NULL,
    "unit" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "guardrails" JSONB NOT NULL,
    "alpha" DOUBLE PRECISION NOT NULL,
    "tau2" DOUBLE PRECISION NOT NULL,
    "auto_promote" BOOLEAN NOT NULL DEFAULT true,
    "status" TEXT NOT NULL,
    "status_reason" TEXT,
    "baseline_version" INTEGER NOT NULL,
    "promoted_version" INTEGER,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "experiments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "experiment_arm_stats" (
    "experiment_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "arm" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "n" INTEGER NOT NULL DEFAULT 0,
    "sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "sum_sq" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "experiment_arm_stats_pkey" PRIMARY KEY ("experiment_id","arm","metric")
);

-- CreateTable
CREATE TABLE "experiment_observations" (
    "tenant_id" UUID NOT NULL,
    "request_id" TEXT NOT NULL,
    "experiment_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "experiment_observations_pkey" PRIMARY KEY ("tenant_id","request_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "route_versions_route_id_version_key" ON "route_versions"("route_id", "version");

-- CreateIndex
CREATE INDEX "experiments_tenant_id_route_name_idx" ON "experiments"("tenant_id", "route_name");

-- AddForeignKey
ALTER TABLE "route_versions" ADD CONSTRAINT "route_versions_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "route_versions" ADD CONSTRAINT "route_versions_route_id_fkey" FOREIGN KEY ("route_id") REFERENCES "routes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "experiments" ADD CONSTRAINT "experiments_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "experiments" ADD CONSTRAINT "experiments_route_id_fkey" FOREIGN KEY ("route_id") REFERENCES "routes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "experiment_arm_stats" ADD CONSTRAINT "experiment_arm_stats_experiment_id_fkey" FOREIGN KEY ("experiment_id") REFERENCES "experiments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------
-- Hand-written below this line: what Prisma cannot model (checks, partial index, grants, RLS, backfill).
-- ---------------------------------------------------------------------------

ALTER TABLE "routes" ADD CONSTRAINT "routes_pinned_version_positive" CHECK ("pinned_version" IS NULL OR "pinned_version" > 0);
ALTER TABLE "route_versions" ADD CONSTRAINT "route_versions_version_positive" CHECK ("version" > 0);
ALTER TABLE "experiments" ADD CONSTRAINT "experiments_mode_known" CHECK ("mode" IN ('shadow', 'split'));
ALTER TABLE "experiments" ADD CONSTRAINT "experiments_unit_known" CHECK ("unit" IN ('user', 'key', 'session'));
ALTER TABLE "experiments" ADD CONSTRAINT "experiments_metric_known" CHECK ("metric" IN ('quality', 'latency', 'cost'));
ALTER TABLE "experiments" ADD CONSTRAINT "experiments_status_known" CHECK ("status" IN ('running', 'stopped', 'promoted', 'reverted'));
ALTER TABLE "experiments" ADD CONSTRAINT "experiments_percent_range" CHECK ("percent" >= 0 AND "percent" <= 100);
ALTER TABLE "experiment_arm_stats" ADD CONSTRAINT "experiment_arm_stats_arm_known" CHECK ("arm" IN ('champion', 'challenger'));

-- At most one running experiment per route: two concurrent starts resolve to one.
CREATE UNIQUE INDEX "experiments_one_running_per_route" ON "experiments"("route_id") WHERE "status" = 'running';

-- Route history is immutable: the tenant role may add versions, never change or remove one.
GRANT SELECT, INSERT ON "route_versions" TO switchyard_app;
GRANT SELECT, INSERT, UPDATE ON "experiments" TO switchyard_app;
GRANT SELECT, INSERT, UPDATE ON "experiment_arm_stats" TO switchyard_app;
GRANT SELECT, INSERT ON "experiment_observations" TO switchyard_app;

ALTER TABLE "route_versions" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "route_versions" FORCE ROW LEVEL SECURITY;
CREATE POLICY "route_versions_tenant_isolation" ON "route_versions"
  USING ("tenant_id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));

ALTER TABLE "experiments" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "experiments" FORCE ROW LEVEL SECURITY;
CREATE POLICY "experiments_tenant_isolation" ON "experiments"
  USING ("tenant_id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));

ALTER TABLE "experiment_arm_stats" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "experiment_arm_stats" FORCE ROW LEVEL SECURITY;
CREATE POLICY "experiment_arm_stats_tenant_isolation" ON "experiment_arm_stats"
  USING ("tenant_id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));

ALTER TABLE "experiment_observations" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "experiment_observations" FORCE ROW LEVEL SECURITY;
CREATE POLICY "experiment_observations_tenant_isolation" ON "experiment_observations"
  USING ("tenant_id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));

-- Every existing route's current definition becomes its first recorded version.
INSERT INTO "route_versions" ("id", "tenant_id", "route_id", "version", "definition", "reason", "created_by", "created_at")
SELECT gen_random_uuid(), "tenant_id", "id", "version", "definition", 'backfill', "updated_by", "updated_at" FROM "routes";
