-- CreateEnum
CREATE TYPE "DpAccountingMode" AS ENUM ('pure_epsilon', 'zcdp');

-- CreateEnum
CREATE TYPE "DpChargeState" AS ENUM ('reserved', 'committed', 'released');

-- CreateTable
CREATE TABLE "dp_budgets" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "dataset" TEXT NOT NULL,
    "mode" "DpAccountingMode" NOT NULL,
    "cap_micros" BIGINT NOT NULL,
    "spent_micros" BIGINT NOT NULL DEFAULT 0,
    "reserved_micros" BIGINT NOT NULL DEFAULT 0,
    "delta" DOUBLE PRECISION,
    "alert_thresholds" INTEGER[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dp_budgets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dp_charges" (
    "id" UUID NOT NULL,
    "budget_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "amount_micros" BIGINT NOT NULL,
    "mechanism" TEXT NOT NULL,
    "state" "DpChargeState" NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "noise_drawn" BOOLEAN NOT NULL DEFAULT false,
    "noisy_value" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dp_charges_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "dp_budgets_tenant_id_dataset_key" ON "dp_budgets"("tenant_id", "dataset");

-- CreateIndex
CREATE INDEX "dp_charges_state_expires_at_idx" ON "dp_charges"("state", "expires_at");

-- CreateIndex
CREATE INDEX "dp_charges_tenant_id_idx" ON "dp_charges"("tenant_id");

-- CreateIndex
CREATE UNIQUE INDEX "dp_charges_budget_id_idempotency_key_key" ON "dp_charges"("budget_id", "idempotency_key");

-- AddForeignKey
ALTER TABLE "dp_budgets" ADD CONSTRAINT "dp_budgets_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dp_charges" ADD CONSTRAINT "dp_charges_budget_id_fkey" FOREIGN KEY ("budget_id") REFERENCES "dp_budgets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------
-- Hand-written below this line: what Prisma cannot model (checks, grants, RLS, functions).
-- ---------------------------------------------------------------------------

-- The cap is enforced by the database too: a charge that would overspend cannot be written,
-- whatever the code above it does.
ALTER TABLE "dp_budgets" ADD CONSTRAINT "dp_budgets_amounts_valid"
  CHECK ("cap_micros" > 0 AND "spent_micros" >= 0 AND "reserved_micros" >= 0 AND "spent_micros" + "reserved_micros" <= "cap_micros");
ALTER TABLE "dp_budgets" ADD CONSTRAINT "dp_budgets_delta_valid"
  CHECK ("delta" IS NULL OR ("delta" > 0 AND "delta" < 1));
ALTER TABLE "dp_charges" ADD CONSTRAINT "dp_charges_amount_positive" CHECK ("amount_micros" > 0);
ALTER TABLE "dp_charges" ADD CONSTRAINT "dp_charges_no_refund_after_noise" CHECK (NOT ("noise_drawn" AND "state" = 'released'));

GRANT SELECT, INSERT, UPDATE, DELETE ON "dp_budgets", "dp_charges" TO switchyard_app;

ALTER TABLE "dp_budgets" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "dp_budgets" FORCE ROW LEVEL SECURITY;
CREATE POLICY "dp_budgets_tenant_isolation" ON "dp_budgets"
  USING ("tenant_id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));

ALTER TABLE "dp_charges" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "dp_charges" FORCE ROW LEVEL SECURITY;
CREATE POLICY "dp_charges_tenant_isolation" ON "dp_charges"
  USING ("tenant_id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));

-- The expiry job must find timed-out reservations of every tenant before it knows the tenant;
-- this one lookup runs as the owner and returns only keys. Releasing happens under RLS per tenant.
CREATE FUNCTION switchyard_dp_expired_reservations(p_now timestamptz, p_limit integer)
RETURNS TABLE (tenant_id uuid, charge_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
  SELECT c."tenant_id", c."id"
  FROM "dp_charges" c
  WHERE c."state" = 'reserved' AND c."noise_drawn" = false AND c."expires_at" <= p_now
  ORDER BY c."expires_at"
  LIMIT p_limit
$$;
REVOKE ALL ON FUNCTION switchyard_dp_expired_reservations(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION switchyard_dp_expired_reservations(timestamptz, integer) TO switchyard_app;
