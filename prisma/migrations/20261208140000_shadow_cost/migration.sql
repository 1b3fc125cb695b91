-- Shadow cost (issue 11): a shadow challenger's copy of a request is billed to the tenant but
-- shown apart. usage_events records which rows are shadow copies (and of which experiment);
-- cost_rollups stays client traffic only, shadow copies roll up into shadow_cost_rollups.

-- AlterTable
ALTER TABLE "usage_events" ADD COLUMN     "experiment_id" UUID,
ADD COLUMN     "shadow" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "shadow_cost_rollups" (
    "tenant_id" UUID NOT NULL,
    "bucket_start" TIMESTAMPTZ(3) NOT NULL,
    "experiment_id" UUID NOT NULL,
    "model" TEXT NOT NULL,
    "requests" INTEGER NOT NULL,
    "prompt_tokens" BIGINT NOT NULL,
    "completion_tokens" BIGINT NOT NULL,
    "cost_micros" BIGINT NOT NULL,

    CONSTRAINT "shadow_cost_rollups_pkey" PRIMARY KEY ("tenant_id","bucket_start","experiment_id","model")
);

-- ---------------------------------------------------------------------------
-- Hand-written below: row-level security and grants, as for cost_rollups.
-- ---------------------------------------------------------------------------

-- A shadow row always names its experiment (the data plane writes both or neither).
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_shadow_experiment"
  CHECK (NOT "shadow" OR "experiment_id" IS NOT NULL);

ALTER TABLE "shadow_cost_rollups" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "shadow_cost_rollups" FORCE ROW LEVEL SECURITY;
CREATE POLICY "shadow_cost_rollups_tenant_isolation" ON "shadow_cost_rollups"
  USING ("tenant_id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON "shadow_cost_rollups" TO switchyard_app;
