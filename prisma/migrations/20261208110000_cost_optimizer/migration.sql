-- CreateTable
CREATE TABLE "optimizer_observations" (
    "tenant_id" UUID NOT NULL,
    "request_id" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "upstream" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "success" BOOLEAN NOT NULL,
    "latency_ms" INTEGER NOT NULL,
    "prompt_tokens" INTEGER NOT NULL,
    "completion_tokens" INTEGER NOT NULL,
    "cost_micros" BIGINT NOT NULL,
    "priors" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "optimizer_observations_pkey" PRIMARY KEY ("tenant_id","request_id")
);

-- CreateTable
CREATE TABLE "optimizer_feedback" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "route" TEXT NOT NULL,
    "upstream" TEXT NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "optimizer_feedback_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "optimizer_snapshots" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "window_end" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "optimizer_snapshots_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "optimizer_features" (
    "snapshot_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "route" TEXT NOT NULL,
    "upstream" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "requests" INTEGER NOT NULL,
    "successes" INTEGER NOT NULL,
    "latency_p50_ms" DOUBLE PRECISION NOT NULL,
    "latency_p95_ms" DOUBLE PRECISION NOT NULL,
    "latency_p99_ms" DOUBLE PRECISION NOT NULL,
    "quality" DOUBLE PRECISION,
    "quality_samples" INTEGER NOT NULL,
    "prompt_tokens" BIGINT NOT NULL,
    "completion_tokens" BIGINT NOT NULL,
    "cost_micros" BIGINT NOT NULL,

    CONSTRAINT "optimizer_features_pkey" PRIMARY KEY ("snapshot_id","route","upstream")
);

-- CreateTable
CREATE TABLE "bandit_priors" (
    "tenant_id" UUID NOT NULL,
    "route" TEXT NOT NULL,
    "upstream" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "alpha" DOUBLE PRECISION NOT NULL,
    "beta" DOUBLE PRECISION NOT NULL,
    "snapshot_id" UUID NOT NULL,
    "canary_share" DOUBLE PRECISION,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bandit_priors_pkey" PRIMARY KEY ("tenant_id","route","upstream","stage")
);

-- CreateTable
CREATE TABLE "route_savings" (
    "snapshot_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "route" TEXT NOT NULL,
    "baseline" TEXT NOT NULL,
    "baseline_model" TEXT NOT NULL,
    "requests" INTEGER NOT NULL,
    "actual_micros" BIGINT NOT NULL,
    "baseline_micros" BIGINT NOT NULL,
    "savings_pct" DOUBLE PRECISION NOT NULL,
    "regret" DOUBLE PRECISION NOT NULL,
    "regret_delta" DOUBLE PRECISION NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "route_savings_pkey" PRIMARY KEY ("snapshot_id","route")
);

-- CreateTable
CREATE TABLE "optimizer_settings" (
    "tenant_id" UUID NOT NULL,
    "baseline" TEXT NOT NULL DEFAULT 'champion',
    "gain_share_pct" DOUBLE PRECISION NOT NULL DEFAULT 20,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "optimizer_settings_pkey" PRIMARY KEY ("tenant_id")
);

-- CreateIndex
CREATE INDEX "optimizer_observations_tenant_id_route_created_at_idx" ON "optimizer_observations"("tenant_id", "route", "created_at");

-- CreateIndex
CREATE INDEX "optimizer_feedback_tenant_id_route_created_at_idx" ON "optimizer_feedback"("tenant_id", "route", "created_at");

-- CreateIndex
CREATE INDEX "optimizer_snapshots_tenant_id_created_at_idx" ON "optimizer_snapshots"("tenant_id", "created_at");

-- CreateIndex
CREATE INDEX "optimizer_features_tenant_id_idx" ON "optimizer_features"("tenant_id");

-- CreateIndex
CREATE INDEX "route_savings_tenant_id_created_at_idx" ON "route_savings"("tenant_id", "created_at");

-- ---------------------------------------------------------------------------
-- Hand-written below this line: what Prisma cannot model (checks, grants, RLS).
-- Every optimizer table is tenant-scoped: the optimizer writes each tenant's rows inside
-- withTenant (switchyard_app, RLS). bandit_priors is also read in the platform scope (each
-- data-plane replica loads every tenant's priors at start-up), never written there.
-- ---------------------------------------------------------------------------

ALTER TABLE "optimizer_observations" ADD CONSTRAINT "optimizer_observations_priors_known" CHECK ("priors" IS NULL OR "priors" IN ('active', 'canary'));
ALTER TABLE "optimizer_observations" ADD CONSTRAINT "optimizer_observations_non_negative"
  CHECK ("latency_ms" >= 0 AND "prompt_tokens" >= 0 AND "completion_tokens" >= 0 AND "cost_micros" >= 0);
ALTER TABLE "optimizer_feedback" ADD CONSTRAINT "optimizer_feedback_score_range" CHECK ("score" >= 0 AND "score" <= 1);
ALTER TABLE "bandit_priors" ADD CONSTRAINT "bandit_priors_stage_known" CHECK ("stage" IN ('active', 'canary'));
ALTER TABLE "bandit_priors" ADD CONSTRAINT "bandit_priors_parameters_positive" CHECK ("alpha" > 0 AND "beta" > 0);
ALTER TABLE "bandit_priors" ADD CONSTRAINT "bandit_priors_canary_share"
  CHECK (("stage" = 'active' AND "canary_share" IS NULL) OR ("stage" = 'canary' AND "canary_share" > 0 AND "canary_share" < 1));
ALTER TABLE "optimizer_settings" ADD CONSTRAINT "optimizer_settings_baseline_known" CHECK ("baseline" IN ('champion', 'most_expensive'));
ALTER TABLE "optimizer_settings" ADD CONSTRAINT "optimizer_settings_gain_share_range" CHECK ("gain_share_pct" >= 0 AND "gain_share_pct" <= 100);

GRANT SELECT, INSERT, UPDATE, DELETE ON "optimizer_observations", "optimizer_feedback", "optimizer_snapshots", "optimizer_features",
  "bandit_priors", "route_savings", "optimizer_settings" TO switchyard_app;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['optimizer_observations', 'optimizer_feedback', 'optimizer_snapshots', 'optimizer_features', 'bandit_priors', 'route_savings', 'optimizer_settings'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING ("tenant_id"::text = current_setting(''app.tenant_id'', true)) WITH CHECK ("tenant_id"::text = current_setting(''app.tenant_id'', true))', t || '_tenant_isolation', t);
  END LOOP;
END $$;

CREATE POLICY "bandit_priors_platform_read" ON "bandit_priors" FOR SELECT TO switchyard_platform USING (true);
