-- CreateTable
CREATE TABLE "slos" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "route" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "objective" DOUBLE PRECISION NOT NULL,
    "window_days" INTEGER NOT NULL,
    "threshold_ms" INTEGER,
    "max_regret" DOUBLE PRECISION,
    "min_savings_pct" DOUBLE PRECISION,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_by" TEXT NOT NULL,
    "updated_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "slos_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "slo_transitions" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "slo_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "route" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "previous" TEXT NOT NULL,
    "throttle" TEXT,
    "burn_rates" JSONB NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "slo_transitions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "slos_tenant_id_route_kind_key" ON "slos"("tenant_id", "route", "kind");

-- CreateIndex
CREATE INDEX "slo_transitions_tenant_id_occurred_at_idx" ON "slo_transitions"("tenant_id", "occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "slo_transitions_slo_id_seq_key" ON "slo_transitions"("slo_id", "seq");

-- AddForeignKey
ALTER TABLE "slos" ADD CONSTRAINT "slos_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "slo_transitions" ADD CONSTRAINT "slo_transitions_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "slo_transitions" ADD CONSTRAINT "slo_transitions_slo_id_fkey" FOREIGN KEY ("slo_id") REFERENCES "slos"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------
-- Hand-written below this line: what Prisma cannot model (checks, grants, RLS).
-- ---------------------------------------------------------------------------

ALTER TABLE "slos" ADD CONSTRAINT "slos_kind_known" CHECK ("kind" IN ('latency', 'availability', 'quality', 'cost'));
ALTER TABLE "slos" ADD CONSTRAINT "slos_objective_range" CHECK ("objective" > 0.5 AND "objective" < 1);
ALTER TABLE "slos" ADD CONSTRAINT "slos_window_range" CHECK ("window_days" BETWEEN 1 AND 31);
ALTER TABLE "slos" ADD CONSTRAINT "slos_route_length" CHECK (char_length("route") BETWEEN 1 AND 256);
ALTER TABLE "slos" ADD CONSTRAINT "slos_version_positive" CHECK ("version" > 0);
-- Exactly the class's own threshold is set.
ALTER TABLE "slos" ADD CONSTRAINT "slos_threshold_of_kind" CHECK (
  ("threshold_ms" IS NOT NULL) = ("kind" = 'latency')
  AND ("max_regret" IS NOT NULL) = ("kind" = 'quality')
  AND ("min_savings_pct" IS NOT NULL) = ("kind" = 'cost'));

ALTER TABLE "slo_transitions" ADD CONSTRAINT "slo_transitions_seq_positive" CHECK ("seq" > 0);
ALTER TABLE "slo_transitions" ADD CONSTRAINT "slo_transitions_state_known" CHECK ("state" IN ('ok', 'ticket', 'page') AND "previous" IN ('ok', 'ticket', 'page'));
ALTER TABLE "slo_transitions" ADD CONSTRAINT "slo_transitions_throttle_known" CHECK ("throttle" IS NULL OR "throttle" IN ('engage', 'release'));

GRANT SELECT, INSERT, UPDATE, DELETE ON "slos" TO switchyard_app;
-- Transitions are history: appended, never rewritten by the application.
GRANT SELECT, INSERT ON "slo_transitions" TO switchyard_app;

-- A tenant reads and writes its own SLOs; the platform scope (the evaluator, every tenant's SLOs
-- each round; a data-plane replica loading the engaged throttles) reads every tenant's.
ALTER TABLE "slos" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "slos" FORCE ROW LEVEL SECURITY;
CREATE POLICY "slos_tenant_isolation" ON "slos"
  USING ("tenant_id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));
CREATE POLICY "slos_platform_read" ON "slos" FOR SELECT TO switchyard_platform USING (true);

ALTER TABLE "slo_transitions" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "slo_transitions" FORCE ROW LEVEL SECURITY;
CREATE POLICY "slo_transitions_tenant_isolation" ON "slo_transitions"
  USING ("tenant_id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));
CREATE POLICY "slo_transitions_platform_read" ON "slo_transitions" FOR SELECT TO switchyard_platform USING (true);
